"""Accounts in the admin: parents' and staff accounts, their emails and two-step devices,
staff groups, and the audit trail.

Scoped and audited like school data (accounts/scoping.py): a school sees its families'
accounts; staff accounts, groups and two-step devices are the board's.
"""

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminForm
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.audit import action_label, record_type_label, snapshot
from accounts.forms import AdminPasswordSetForm, StaffInvitationForm
from accounts.models import AuditEvent, StaffProfile, User
from accounts.scoping import (
    ADMIN_CHANGE,
    AuditedAdminMixin,
    Scope,
    ScopedAdminMixin,
    ScopedInlineMixin,
    account_scope_q,
    is_helpdesk_agent,
    may_manage_staff,
)
from portail.text import AccentInsensitiveSearchMixin

ACCOUNT_PASSWORD_SET = "account.password_set"  # noqa: S105 - an action name
# Django names its permissions in English in the database ("Can add student"): what they
# allow, in the reader's language, from the model's own name.
PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    model = permission.content_type.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    if model is None or action not in PERMISSION_ACTIONS or model_name != model._meta.model_name:
        return str(permission)
    allowed = PERMISSION_ACTIONS[action] % {"model": model._meta.verbose_name}
    return f"{permission.content_type} | {allowed}"


class PermissionLabelsMixin:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Permission:
            field.label_from_instance = permission_label
            # A model that moved between apps left its old content type's permissions,
            # which grant nothing: only the installed models' are offered.
            installed = ContentType.objects.get_for_models(*apps.get_models()).values()
            field.queryset = field.queryset.filter(
                content_type__in=[content_type.pk for content_type in installed])
        return field


class StaffProfileInline(ScopedInlineMixin, admin.StackedInline):
    """The schools a member of staff works for: set by the board's administration."""

    model = StaffProfile
    school_scope = Scope.BOARD_ONLY
    fields = ["board_level", "schools"]
    autocomplete_fields = ["schools"]
    can_delete = False
    max_num = 1
    verbose_name_plural = _("staff profile")


def _may_touch(request, user: User | None) -> bool:
    """A staff account (and its email addresses) is the board administration's; a
    superuser's, superusers'."""
    if user is None:
        return True
    if user.is_superuser and not request.user.is_superuser:
        return False
    return not user.is_staff or may_manage_staff(request.user)


@admin.register(User)
class UserAdmin(ScopedAdminMixin, AuditedAdminMixin, AccentInsensitiveSearchMixin,
                PermissionLabelsMixin, DjangoUserAdmin):
    """Django's user admin with the portal's fields. Only a superuser sets a password here
    (DESIGN.md: the help desk never sees or sets one; it sends a reset link from the help
    centre); a family account's email changes in the help centre, which records why."""

    # A school's families' accounts, and the accounts linked to no student yet.
    school_scope = "guardian__student_links__student__school"
    list_display = ["username", "name", "email", "is_active", "is_staff", "last_login"]
    readonly_fields = ["helpdesk_link"]
    search_fields = ["username", "email", "first_name", "last_name"]
    search_help_text = _("A login ID, an email or a name.")
    fieldsets = [
        (None, {"fields": ["username", "password", "helpdesk_link"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email",
                                         "preferred_language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups",
                                       "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    change_password_form = AdminPasswordSetForm
    invitation_fieldsets = [
        (None, {"fields": ["first_name", "last_name", "email", "preferred_language"]}),
        (_("Work"), {"fields": ["role", "schools"]}),
    ]

    @admin.display(description=_("User help centre"))
    def helpdesk_link(self, user: User) -> str:
        if user.is_staff or user.is_superuser:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("helpdesk:account", args=[user.pk]),
                           _("Open in the user help centre"))

    def scope_q(self, school_ids):
        return account_scope_q(school_ids)

    @admin.display(description=_("name"), ordering="last_name")
    def name(self, user: User) -> str:
        return user.get_full_name()

    def permission_fields(self, request) -> list[str]:
        """Who may make whom staff: the board's administration; superusers for the rest."""
        if request.user.is_superuser:
            return ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]
        if may_manage_staff(request.user):
            return ["is_active", "is_staff", "groups"]
        return ["is_active"]

    def account_fields(self, request) -> list[str]:
        """Links only to the pages the reader may open: the password form, a superuser's;
        the help centre, its agents'."""
        fields = ["username"]
        if request.user.is_superuser:
            fields.append("password")
        if is_helpdesk_agent(request.user):
            fields.append("helpdesk_link")
        return fields

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return super().get_fieldsets(request, obj)
        account, personal, permissions, dates = self.fieldsets
        return [(account[0], {"fields": self.account_fields(request)}), personal,
                (permissions[0], {"fields": self.permission_fields(request)}), dates]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        family_account = obj is not None and not (obj.is_staff or obj.is_superuser)
        if family_account and "email" in form.base_fields:
            # The help centre's form changes it with allauth's address, the reason, the
            # document seen and a word to the old address: the only way.
            email = form.base_fields["email"]
            email.disabled = True
            email.help_text = _("Changed in the user help centre, which records the reason "
                                "and tells the old address.")
        return form

    def get_list_filter(self, request):
        # Staff and groups are the board's business.
        return super().get_list_filter(request) if may_manage_staff(request.user) else ["is_active"]

    def get_inlines(self, request, obj):
        return [StaffProfileInline] if obj is not None and may_manage_staff(request.user) else []

    def has_add_permission(self, request):
        # The only account staff add is a colleague's: parents sign up themselves.
        return super().has_add_permission(request) and may_manage_staff(request.user)

    def add_view(self, request, form_url="", extra_context=None):
        """Ajouter un membre du personnel: names, email, role and schools; the new colleague
        is invited by email to choose a password and set up two-step login."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = StaffInvitationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            user = services.staff_invite(request=request, user=form.save(commit=False),
                                         role=form.cleaned_data["role"],
                                         schools=form.cleaned_data["schools"])
            self.message_user(request, _("The account %(login_id)s was created and the "
                                         "invitation sent to %(email)s.")
                              % {"login_id": user.username, "email": user.email},
                              messages.SUCCESS)
            return redirect("admin:accounts_user_change", user.pk)
        return TemplateResponse(request, "admin/accounts/user/staff_invitation.html", {
            **self.admin_site.each_context(request),
            "title": _("Add a member of staff"),
            "opts": self.opts,
            "adminform": AdminForm(form, self.invitation_fieldsets, {}),
            "media": self.media + form.media,
        })

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_touch(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _may_touch(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, unquote(id))
                # The hash never enters the trail: only the fact that it was set.
                self.audit(request, ACCOUNT_PASSWORD_SET, user, before={}, after={})
        return response


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class ScopedEmailAddressAdmin(ScopedAdminMixin, AuditedAdminMixin, EmailAddressAdmin):
    school_scope = "user__guardian__student_links__student__school"

    def scope_q(self, school_ids):
        return account_scope_q(school_ids, prefix="user__")

    def get_readonly_fields(self, request, obj=None):
        # Never moved to another account (onto a colleague's); a family's address changes
        # in the user help centre, as on the account's page (UserAdmin.get_form).
        readonly = super().get_readonly_fields(request, obj)
        return readonly if obj is None else [*readonly, "user", "email"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_touch(
            request, obj.user if obj is not None else None)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _may_touch(
            request, obj.user if obj is not None else None)

    @admin.action(description=_("Mark selected email addresses as verified"),
                  permissions=["change"])
    def make_verified(self, request, queryset):
        # A colleague's address is left as it is, as on its page (has_change_permission).
        before = {address.pk: snapshot(address) for address in queryset.select_related("user")
                  if _may_touch(request, address.user)}
        super().make_verified(request, queryset.filter(pk__in=before))
        for address in EmailAddress.objects.filter(pk__in=before):
            if snapshot(address) != before[address.pk]:
                self.audit(request, ADMIN_CHANGE, address, before=before[address.pk],
                           after=snapshot(address))


admin.site.unregister(Authenticator)
# allauth's model names itself "authenticator", which no catalogue translates; the
# migrations read the model's declared Meta only, so this changes no migration.
Authenticator._meta.verbose_name = _("two-step login device")
Authenticator._meta.verbose_name_plural = _("two-step login devices")


@admin.register(Authenticator)
class ScopedAuthenticatorAdmin(ScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    """Two-step devices: the board removes one for someone who lost their phone, one at a
    time from its page (no list action); only the board's administration removes a staff
    account's."""

    school_scope = Scope.BOARD_ONLY
    list_display = ["owner", "kind", "added", "last_used"]
    list_filter = ["type"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    search_help_text = _("A login ID, an email or a last name.")
    fields = ["owner", "kind", "added", "last_used"]  # never `data`: the secret
    readonly_fields = fields
    audit_exclude = ("data",)
    actions = None

    @admin.display(description=_("user"), ordering="user__username")
    def owner(self, authenticator: Authenticator) -> str:
        return str(authenticator.user)

    @admin.display(description=_("kind"), ordering="type")
    def kind(self, authenticator: Authenticator) -> str:
        return authenticator.get_type_display()

    @admin.display(description=_("added"), ordering="created_at")
    def added(self, authenticator: Authenticator):
        return authenticator.created_at

    @admin.display(description=_("last used"), ordering="last_used_at")
    def last_used(self, authenticator: Authenticator):
        return authenticator.last_used_at

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # The help desk must not be talked into removing a colleague's second factor.
        if obj is not None and (obj.user.is_staff or obj.user.is_superuser) and (
                obj.user != request.user and not may_manage_staff(request.user)):
            return False
        return super().has_delete_permission(request, obj)


admin.site.unregister(Group)


@admin.register(Group)
class ScopedGroupAdmin(ScopedAdminMixin, AuditedAdminMixin, PermissionLabelsMixin,
                       DjangoGroupAdmin):
    school_scope = Scope.BOARD_ONLY


class _AuditCodeFilter(admin.SimpleListFilter):
    """The codes the trail holds, by their names in the reader's language."""

    label = staticmethod(str)

    def lookups(self, request, model_admin):
        codes = AuditEvent.objects.order_by().values_list(self.parameter_name, flat=True)
        return sorted(((code, self.label(code)) for code in codes.distinct()),
                      key=lambda choice: choice[1].casefold())

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(**{self.parameter_name: value}) if value else queryset


class AuditActionFilter(_AuditCodeFilter):
    title = _("action")
    parameter_name = "action"
    label = staticmethod(action_label)


class AuditRecordTypeFilter(_AuditCodeFilter):
    title = _("record type")
    parameter_name = "object_type"
    label = staticmethod(record_type_label)


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The audit trail: board-level staff read it; nobody adds, changes or deletes a row."""

    school_scope = Scope.BOARD_ONLY
    list_display = ["at", "actor", "action_display", "object_type_display", "object_repr",
                    "reason"]
    list_filter = [AuditActionFilter, AuditRecordTypeFilter,
                   ("actor", admin.RelatedOnlyFieldListFilter), "at"]
    list_select_related = ["actor"]
    date_hierarchy = "at"
    list_per_page = 100
    search_fields = ["object_repr", "object_id", "actor__username", "reason"]
    search_help_text = _("A record, a record id, a login ID or a reason.")
    fields = ["at", "actor", "action_display", "object_type_display", "object_id",
              "object_repr", "reason", "changes_display", "before_display", "after_display"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("action"), ordering="action")
    def action_display(self, event: AuditEvent) -> str:
        return action_label(event.action)

    @admin.display(description=_("record type"), ordering="object_type")
    def object_type_display(self, event: AuditEvent) -> str:
        return record_type_label(event.object_type)

    @admin.display(description=_("changes"))
    def changes_display(self, event: AuditEvent):
        changed = {name: (event.before.get(name), value) for name, value in event.after.items()
                   if event.before and event.before.get(name) != value}
        if not changed:
            return "—"
        return format_html("<dl>{}</dl>", format_html_join(
            "", "<dt>{}</dt><dd>{} → {}</dd>",
            ((name, before, after) for name, (before, after) in changed.items())))

    @staticmethod
    def _values(values: dict):
        if not values:
            return "—"
        return format_html("<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd>{}</dd>",
                                                           values.items()))

    @admin.display(description=_("before"))
    def before_display(self, event: AuditEvent):
        return self._values(event.before)

    @admin.display(description=_("after"))
    def after_display(self, event: AuditEvent):
        return self._values(event.after)
