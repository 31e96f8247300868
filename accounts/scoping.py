"""The admin's ground rules for staff: each sees only their schools, and every change is audited.

A ModelAdmin names in `school_scope` the lookup paths from its model to a school; a member
of staff sees a row when one of the paths leads to one of the schools of their staff
profile: in lists, searches, autocompletes, actions, the objects opened by URL (anything
else is a 404), the rows of inlines and the choices of related fields. Board-level staff
and superusers see every school; staff without a profile see nothing. `Scope.BOARD_WIDE`
marks the reference data every school reads and only the board changes; `Scope.BOARD_ONLY`
(the default, so that a forgotten admin hides rather than leaks) is for board-level staff.
"""

import enum
from collections.abc import Iterable

from django.contrib import messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import FieldDoesNotExist
from django.db import models, router, transaction
from django.db.models import Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.audit import audit_record, snapshot
from accounts.models import StaffProfile
from accounts.roles import HELP_DESK

ADMIN_ADD = "admin.add"
ADMIN_CHANGE = "admin.change"
ADMIN_DELETE = "admin.delete"


class Scope(enum.Enum):
    BOARD_WIDE = "board-wide"
    BOARD_ONLY = "board-only"


def staff_school_ids(user) -> frozenset[int] | None:
    """The schools this member of staff works for; None means every school.

    Read once per request (the user object of a request carries it).
    """
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return frozenset()
    if user.is_superuser:
        return None
    if not hasattr(user, "_staff_school_ids"):
        rows = list(StaffProfile.objects.filter(user=user).values_list("board_level", "schools"))
        user._staff_school_ids = (
            None if any(board_level for board_level, _school in rows)
            else frozenset(school for _board_level, school in rows if school is not None)
        )
    return user._staff_school_ids


def is_board_level(user) -> bool:
    return staff_school_ids(user) is None


def is_helpdesk_agent(user) -> bool:
    """Who runs the help centre: members of the help-desk group, board-level staff and
    superusers."""
    if not (user.is_active and user.is_staff):
        return False
    return is_board_level(user) or user.groups.filter(name=HELP_DESK).exists()


def may_manage_staff(user) -> bool:
    """Staff accounts, their groups and schools: superusers and the board's administration."""
    return user.is_superuser or (is_board_level(user)
                                 and user.has_perm("accounts.change_staffprofile"))


def account_scope_q(school_ids: Iterable[int], prefix: str = "") -> Q:
    """Parent accounts a school's staff may see: its families', and the accounts linked to no
    student yet, which a school must find to link them. Never a staff account."""
    families = Q(**{f"{prefix}guardian__student_links__student__school__in": school_ids})
    unlinked = (Q(**{f"{prefix}guardian__isnull": True})
                | Q(**{f"{prefix}guardian__student_links__isnull": True}))
    return (families | unlinked) & Q(**{f"{prefix}is_staff": False,
                                        f"{prefix}is_superuser": False})


def _path_spans_many(model: type[models.Model], lookup: str) -> bool:
    for name in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # "pk", or a lookup such as "in" or "isnull"
            return False
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


def _spans_many(model: type[models.Model], condition: Q) -> bool:
    """Whether the condition joins a to-many relation (and would repeat rows)."""
    return any(
        _spans_many(model, child) if isinstance(child, Q) else _path_spans_many(model, child[0])
        for child in condition.children
    )


class _KeepCurrentChoices:
    """A row keeps the value it has (an old enrolment's school, a section at another school):
    only what staff newly choose must be within their schools."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        for name, field in self.fields.items():
            if getattr(field, "limited_to_scope", False):
                current = getattr(self.instance, self.instance._meta.get_field(name).attname)
                if current is not None:
                    model = field.queryset.model
                    field.queryset = field.queryset | model._default_manager.filter(pk=current)


def _keeping_current_choices(form_class):
    return type(form_class.__name__, (_KeepCurrentChoices, form_class), {})


class _ScopedBase:
    school_scope: str | tuple[str, ...] | Scope | None = Scope.BOARD_ONLY
    # Only the board changes these rows, though schools see theirs (a school's own record).
    board_edits = False

    def scope_q(self, school_ids: frozenset[int]) -> Q:
        paths = (self.school_scope,) if isinstance(self.school_scope, str) else self.school_scope
        condition = Q()
        for path in paths:
            condition |= Q(**{f"{path}__in": school_ids})
        return condition

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        school_ids = staff_school_ids(request.user)
        if school_ids is None or self.school_scope is None:
            return queryset
        if not school_ids or self.school_scope is Scope.BOARD_ONLY:
            return queryset.none()
        if self.school_scope is Scope.BOARD_WIDE:
            return queryset
        condition = self.scope_q(school_ids)
        if _spans_many(queryset.model, condition):
            return queryset.filter(
                pk__in=queryset.model._default_manager.filter(condition).values("pk"))
        return queryset.filter(condition)

    def may_see(self, request: HttpRequest) -> bool:
        school_ids = staff_school_ids(request.user)
        return school_ids is None or (bool(school_ids)
                                      and self.school_scope is not Scope.BOARD_ONLY)

    def may_edit(self, request: HttpRequest) -> bool:
        school_ids = staff_school_ids(request.user)
        return school_ids is None or (bool(school_ids) and not self.board_edits
                                      and not isinstance(self.school_scope, Scope))

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.scope_queryset(request, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        try:
            related_admin = self.admin_site.get_model_admin(db_field.remote_field.model)
        except NotRegistered:
            related_admin = None
        if field is not None and isinstance(related_admin, _ScopedBase):
            field.queryset = related_admin.scope_queryset(request, field.queryset)
            field.limited_to_scope = True
        return field

    def has_view_permission(self, request, obj=None):
        return self.may_see(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.may_edit(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.may_edit(request) and super().has_delete_permission(request, obj)


class ScopedAdminMixin(_ScopedBase):
    """For a ModelAdmin: put it first among the bases."""

    # Lists of a whole board's rows: short pages, and no second count of the whole table
    # beside a filtered list's (slow on the large ones).
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request):
        return self.may_edit(request) and super().has_add_permission(request)

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except OverflowError as overflow:
            # The date hierarchy's ?date__year=99999999999999999999: an invalid filter, as
            # Django already treats a year that is no number (the list then says so).
            raise IncorrectLookupParameters(overflow) from overflow

    def get_form(self, request, obj=None, **kwargs):
        return _keeping_current_choices(super().get_form(request, obj, **kwargs))

    def get_object(self, request, object_id, from_field=None):
        # Django redirects to the index with "does not exist"; another school's row, like a
        # missing one, is a plain 404 that names nothing.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def shared_between_schools(self, request: HttpRequest) -> bool:
        """Whether this admin's rows are shared by schools (a guardian of children at two
        schools, their account), as the member of staff's schools see them."""
        school_ids = staff_school_ids(request.user)
        return (school_ids is not None and not isinstance(self.school_scope, Scope)
                and _spans_many(self.model, self.scope_q(school_ids)))

    def history_view(self, request, object_id, extra_context=None):
        # A shared row has one history for all its schools, whose entries name the rows of
        # each (a link to another school's child, even one since removed): the board's only.
        if self.shared_between_schools(request):
            obj = self.get_object(request, unquote(object_id))  # a 404 if not theirs
            self.message_user(request, _("The history of a record shared between schools "
                                         "is shown only to staff who see every school."),
                              messages.INFO)
            return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}"
                                    "_change", args=[quote(obj.pk)]))
        return super().history_view(request, object_id, extra_context)


class ScopedInlineMixin(_ScopedBase):
    """For an inline: rows follow their parent (school_scope None) unless paths are given."""

    school_scope = None

    def has_add_permission(self, request, obj):
        return self.may_edit(request) and super().has_add_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _keeping_current_choices(formset.form)
        return formset


def _many_to_many_state(obj: models.Model) -> dict:
    return {
        field.name: sorted(getattr(obj, field.name).values_list("pk", flat=True))
        for field in obj._meta.many_to_many
        if field.remote_field.through._meta.auto_created
    }


class AuditedAdminMixin:
    """Every add, change and delete through this admin and its inlines is an AuditEvent,
    written in the admin's own transaction, with the row before and after."""

    # Fields never copied into the trail besides accounts.audit's (a TOTP secret).
    audit_exclude: tuple[str, ...] = ()

    def audit_state(self, obj: models.Model) -> dict:
        state = {**snapshot(obj), **_many_to_many_state(obj)}
        for name in self.audit_exclude:
            state.pop(name, None)
        return state

    def audit(self, request: HttpRequest, action: str, obj: models.Model, *, before: dict,
              after: dict) -> None:
        audit_record(actor=request.user, action=action, instance=obj, before=before,
                     after=after)

    def save_model(self, request, obj, form, change):
        if change:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            obj._audit_before = self.audit_state(stored) if stored else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before, after = getattr(obj, "_audit_before", {}), self.audit_state(obj)
        if not change or before != after:
            self.audit(request, ADMIN_CHANGE if change else ADMIN_ADD, obj, before=before,
                       after=after)

    def save_formset(self, request, form, formset, change):
        deleted = [f.instance.pk for f in formset.deleted_forms if f.instance.pk is not None]
        touched = deleted + [f.instance.pk for f in formset.initial_forms
                             if f.instance.pk is not None and f.has_changed()]
        stored = formset.model._default_manager.in_bulk(touched) if touched else {}
        before = {pk: self.audit_state(obj) for pk, obj in stored.items()}
        for pk in deleted:
            self.audit(request, ADMIN_DELETE, stored[pk], before=before[pk], after={})
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self.audit(request, ADMIN_ADD, obj, before={}, after=self.audit_state(obj))
        for obj, _fields in formset.changed_objects:
            self.audit(request, ADMIN_CHANGE, obj, before=before.get(obj.pk, {}),
                       after=self.audit_state(obj))

    def delete_model(self, request, obj):
        self.audit(request, ADMIN_DELETE, obj, before=self.audit_state(obj), after={})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic(using=router.db_for_write(self.model)):
            for obj in queryset:
                self.audit(request, ADMIN_DELETE, obj, before=self.audit_state(obj), after={})
            super().delete_queryset(request, queryset)

