"""School groups and announcements: staff post within their schools, the board board-wide."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from accounts.scoping import (
    AuditedAdminMixin,
    ScopedAdminMixin,
    ScopedInlineMixin,
    is_board_level,
)
from notifications.content import attachment_kind
from notifications.models import Announcement, Attachment, Group
from portail.admin_display import file_size


class NotificationsAdmin(ScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    pass


class GroupForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        school, section = cleaned.get("school"), cleaned.get("section")
        if section is not None and school is not None and section.school_id != school.pk:
            raise ValidationError({"section": _("This class is not given at this school.")})
        return cleaned


@admin.register(Group)
class GroupAdmin(NotificationsAdmin):
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
    fields = ["file", "name", file_size]
    readonly_fields = ["name", file_size]


@admin.register(Announcement)
class AnnouncementAdmin(NotificationsAdmin):
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
