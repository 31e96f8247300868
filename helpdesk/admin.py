from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.audit import audit_record, snapshot
from accounts.scoping import Scope, ScopedAdminMixin
from helpdesk.services import EMAIL_RESEND
from outbox.models import OutboundEmail
from outbox.services import email_resend


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
