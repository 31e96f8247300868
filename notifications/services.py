"""The email outbox: queue an email with its event, send it once, retry, sweep."""

import logging
import random
import smtplib
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import models, transaction
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notifications.models import OutboundEmail

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status


class PermanentEmailError(Exception):
    """Sending again cannot help: a bad address or a broken template."""


def _serialize(context: dict) -> dict:
    """Keep what a template needs at sending time: plain values and model references."""
    kept = {}
    for name, value in context.items():
        if isinstance(value, models.Model):
            kept[name] = {"__model__": value._meta.label, "pk": value.pk}
        elif isinstance(value, datetime):
            kept[name] = {"__datetime__": value.isoformat()}
        elif isinstance(value, str | int | float | bool) or value is None:
            kept[name] = value
    return kept


def _deserialize(context: dict) -> dict:
    loaded = {}
    for name, value in context.items():
        if isinstance(value, dict) and "__model__" in value:
            model = apps.get_model(value["__model__"])
            loaded[name] = model._default_manager.filter(pk=value["pk"]).first()
        elif isinstance(value, dict) and "__datetime__" in value:
            loaded[name] = datetime.fromisoformat(value["__datetime__"])
        else:
            loaded[name] = value
    return loaded


def email_queue(
    *, recipient: str, template: str, context: dict | None = None, language: str = "fr",
    idempotency_key: str | None = None,
) -> OutboundEmail:
    """Write an email to the outbox in the caller's transaction; send it after commit.

    The same idempotency key twice gives one row (and one email).
    """
    email, created = OutboundEmail.objects.get_or_create(
        idempotency_key=idempotency_key or f"{template}:{uuid.uuid4()}",
        defaults={
            "recipient": recipient,
            "template": template,
            "context": _serialize(context or {}),
            "language": language,
        },
    )
    if created:
        transaction.on_commit(lambda: enqueue_sending([email.pk]))
    return email


def email_queue_many(emails: Iterable[OutboundEmail], *, batch_size: int = 1000) -> int:
    """Bulk version of email_queue for notifications to many parents at once."""
    rows = list(emails)
    OutboundEmail.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)
    keys = [row.idempotency_key for row in rows]
    ids = list(
        OutboundEmail.objects.filter(idempotency_key__in=keys, status=Status.QUEUED)
        .values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: enqueue_sending(ids))
    return len(ids)


def enqueue_sending(email_ids: list[int], *, chunk: int = 50) -> None:
    """Hand ids to the worker. If the broker is down, the sweep sends them later."""
    from notifications.tasks import send_emails

    for start in range(0, len(email_ids), chunk):
        try:
            send_emails.apply_async(args=[email_ids[start:start + chunk]], retry=False)
        except Exception:  # noqa: BLE001 - any broker failure: the sweep catches up
            logger.warning("Broker unavailable: %d email(s) left for the sweep",
                           len(email_ids) - start)
            return


def _claim(email_id: int) -> OutboundEmail | None:
    """Lock the row and move it to SENDING, unless it is not (or no longer) due."""
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status__in=[Status.QUEUED, Status.RETRY],
                    next_attempt_at__lte=timezone.now())
            .first()
        )
        if email is None:
            return None
        email.status = Status.SENDING
        email.attempts += 1
        # A lease: if the worker dies now, the sweep takes the row back after it.
        email.next_attempt_at = timezone.now() + timedelta(seconds=settings.OUTBOX_SENDING_LEASE)
        email.save(update_fields=["status", "attempts", "next_attempt_at"])
        return email


def render_email(email: OutboundEmail) -> EmailMultiAlternatives:
    try:
        validate_email(email.recipient)
    except ValidationError as invalid:
        raise PermanentEmailError("Invalid recipient address") from invalid
    context = {
        **_deserialize(email.context),
        "board_name": settings.BOARD_NAME,
        "board_short_name": settings.BOARD_SHORT_NAME,
        "helpdesk_email": settings.HELPDESK_EMAIL,
        "helpdesk_phone": settings.HELPDESK_PHONE,
        "site_url": settings.SITE_URL,
    }
    base = f"emails/{email.template}"
    try:
        with translation.override(email.language):
            subject = render_to_string(f"{base}_subject.txt", context)
            text = render_to_string(f"{base}_message.txt", context)
            html = render_to_string(f"{base}_message.html", context)
    except (TemplateDoesNotExist, TemplateSyntaxError) as broken:
        raise PermanentEmailError(f"Template error: {broken}") from broken
    except Exception as broken:  # noqa: BLE001 - a rendering bug fails the row, not the worker
        raise PermanentEmailError(f"Rendering error: {broken!r}") from broken
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[email.recipient],
        headers={"Message-ID": f"<outbox-{email.pk}@{urlsplit(settings.SITE_URL).hostname}>"},
    )
    message.attach_alternative(html, "text/html")
    return message


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with full jitter, capped."""
    ceiling = min(settings.OUTBOX_RETRY_BASE * 2 ** (attempts - 1), settings.OUTBOX_RETRY_MAX)
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def _finish(email: OutboundEmail, *, error: str = "", permanent: bool = False) -> None:
    now = timezone.now()
    if not error:
        email.status, email.sent_at, email.last_error = Status.SENT, now, ""
    elif permanent or email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        email.status, email.last_error = Status.FAILED, error
        logger.error("Email %s failed for good: %s", email.pk, error)
    else:
        email.status, email.last_error = Status.RETRY, error
        email.next_attempt_at = now + retry_delay(email.attempts)
    OutboundEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
        status=email.status, sent_at=email.sent_at, last_error=email.last_error,
        next_attempt_at=email.next_attempt_at,
    )


def emails_send(email_ids: Iterable[int]) -> None:
    """Send the due emails among these ids over one SMTP connection.

    Failures wait in RETRY; the sweep enqueues them again when their time comes.
    """
    connection = get_connection()
    try:
        for email_id in email_ids:
            email = _claim(email_id)
            if email is None:
                continue
            try:
                message = render_email(email)
                message.connection = connection
                message.send()
            except PermanentEmailError as error:
                _finish(email, error=str(error), permanent=True)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as refused:
                _finish(email, error=repr(refused), permanent=True)
            except (smtplib.SMTPException, OSError) as error:
                _finish(email, error=repr(error))
                connection.close()  # a broken connection must not fail the next email
            else:
                _finish(email)
    finally:
        connection.close()


def emails_sweep() -> int:
    """Take back what a dead worker left SENDING; re-enqueue what is due.

    Rows stay QUEUED when the broker was down at the event; RETRY rows wait for their time.
    """
    now = timezone.now()
    OutboundEmail.objects.filter(status=Status.SENDING, next_attempt_at__lte=now).update(
        status=Status.RETRY, last_error="The worker stopped while sending; sending again."
    )
    due = list(
        OutboundEmail.objects.filter(
            status__in=[Status.QUEUED, Status.RETRY], next_attempt_at__lte=now
        ).order_by("next_attempt_at").values_list("pk", flat=True)[: settings.OUTBOX_SWEEP_BATCH]
    )
    enqueue_sending(due)
    return len(due)


def email_resend(email: OutboundEmail) -> None:
    """The admin's "renvoyer": a failed email goes back to the queue."""
    OutboundEmail.objects.filter(pk=email.pk, status=Status.FAILED).update(
        status=Status.QUEUED, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    transaction.on_commit(lambda: enqueue_sending([email.pk]))
