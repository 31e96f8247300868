from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """One email, written in the same transaction as the event that causes it.

    A Celery task sends it after commit; the sweep re-sends what is stuck. The status
    machine (QUEUED → SENDING → SENT, or RETRY / FAILED) and row locking make it leave at
    most once per claim, and the idempotency key makes one logical message one row.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        RETRY = "retry", _("Waiting to retry")
        FAILED = "failed", _("Failed")

    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    template = models.CharField(_("template"), max_length=100)
    # Not an EmailField: a malformed address must fail its own row, not the event.
    recipient = models.CharField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    # The ids and short values the template needs; rendered at sending time. Null once
    # the email is sent, or failed too long ago to resend: then it carries no link or code.
    context = models.JSONField(_("context"), default=dict, blank=True, null=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        # The table of the notifications app, where the outbox started.
        db_table = "notifications_outboundemail"
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient} ({self.get_status_display()})"
