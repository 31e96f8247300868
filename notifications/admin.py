from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.audit import audit_record, snapshot
from accounts.scoping import (
    Scope,
    ScopedAdminMixin,
    ScopedInlineMixin,
    StaffModelAdmin,
    is_board_level,
)
from notifications.content import attachment_kind
from notifications.models import Announcement, Attachment, Group, OutboundEmail
from notifications.services import email_resend

EMAIL_RESEND = "email.resend"


def _audited(email: OutboundEmail) -> dict:
    # The context carries what the email carries (a reset link): not for the trail either.
    return {name: value for name, value in snapshot(email).items() if name != "context"}


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The outbox, for the help desk: see what left, what waits, what failed.

    Board-level staff only: it names every family's address. The context is never shown:
    it holds what the email carries (a password-reset link, an access code).
    """

    school_scope = Scope.BOARD_ONLY
    list_display = ["created_at", "recipient", "template", "language", "status", "attempts",
                    "sent_at"]
    list_filter = ["status", "template", "language"]
    search_fields = ["recipient"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["resend"]
    fields = ["recipient", "template", "language", "status", "attempts", "next_attempt_at",
              "last_error", "created_at", "sent_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Resend the selected failed emails"), permissions=["view"])
    def resend(self, request, queryset):
        # Past OUTBOX_FAILED_KEEP_DAYS an email's content is gone: the parent asks again.
        queued = forgotten = 0
        with transaction.atomic():
            for email in queryset.filter(status=OutboundEmail.Status.FAILED):
                before = _audited(email)
                if not email_resend(email):
                    forgotten += 1
                    continue
                queued += 1
                email.refresh_from_db()
                audit_record(actor=request.user, action=EMAIL_RESEND, instance=email,
                             before=before, after=_audited(email))
        self.message_user(
            request,
            ngettext("%(count)d email is queued again.", "%(count)d emails are queued again.",
                     queued) % {"count": queued},
            messages.SUCCESS,
        )
        if forgotten:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email failed too long ago to be resent: its content is no "
                    "longer kept. Ask the parent to make the request again.",
                    "%(count)d emails failed too long ago to be resent: their content is no "
                    "longer kept. Ask the parents to make the requests again.",
                    forgotten) % {"count": forgotten},
                messages.WARNING,
            )


# School groups and announcements: staff post within their schools, the board board-wide.


class GroupForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        school, section = cleaned.get("school"), cleaned.get("section")
        if section is not None and school is not None and section.school_id != school.pk:
            raise ValidationError({"section": _("This class is not given at this school.")})
        return cleaned


@admin.register(Group)
class GroupAdmin(StaffModelAdmin):
    form = GroupForm
    school_scope = "school"
    list_display = ["name", "kind", "school", "grade", "section"]
    list_filter = ["kind", ("school", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["school", "section__course"]
    search_fields = ["name", "school__name"]
    autocomplete_fields = ["school", "section"]
    fields = ["name", "kind", "school", "grade", "section"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "school" in form.base_fields and not is_board_level(request.user):
            # An empty school means the whole board: only the board writes those.
            form.base_fields["school"].required = True
        return form


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["file"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if isinstance(upload, UploadedFile):  # a new upload, not the stored file
            kind = attachment_kind(upload)
            self.instance.name = get_valid_filename(upload.name)[:200] or kind.extension
            self.instance.content_type, self.instance.size = kind.content_type, upload.size
            upload.name = f"attachment.{kind.extension}"
        return upload


class AttachmentInline(ScopedInlineMixin, admin.TabularInline):
    model = Attachment
    form = AttachmentForm
    extra = 1
    fields = ["file", "name", "size"]
    readonly_fields = ["name", "size"]


@admin.register(Announcement)
class AnnouncementAdmin(StaffModelAdmin):
    school_scope = "group__school"
    list_display = ["title", "group", "publish_at", "expires_at", "pinned"]
    list_filter = ["pinned", "group__kind"]
    list_select_related = ["group"]
    search_fields = ["title", "group__name"]
    date_hierarchy = "publish_at"
    autocomplete_fields = ["group"]
    fields = ["group", "title", "body", "publish_at", "expires_at", "pinned"]
    inlines = [AttachmentInline]
    audit_exclude = ("body_html",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
