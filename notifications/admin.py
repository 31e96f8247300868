from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.models import OutboundEmail
from notifications.services import email_resend


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox, for the help desk: see what left, what waits, what failed."""

    list_display = ["created_at", "recipient", "template", "language", "status", "attempts",
                    "sent_at"]
    list_filter = ["status", "template", "language"]
    search_fields = ["recipient"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["resend"]
    readonly_fields = [field.name for field in OutboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Resend the selected failed emails"), permissions=["view"])
    def resend(self, request, queryset):
        failed = list(queryset.filter(status=OutboundEmail.Status.FAILED))
        for email in failed:
            email_resend(email)
        self.message_user(
            request,
            ngettext("%(count)d email is queued again.", "%(count)d emails are queued again.",
                     len(failed)) % {"count": len(failed)},
            messages.SUCCESS,
        )
