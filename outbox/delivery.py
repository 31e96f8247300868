"""Sending the outbox's emails, in the worker: claim, render, send once, retry, take back."""

import logging
import random
import re
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.template import Context, TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from outbox.context import context_load, contexts_load
from outbox.models import OutboundEmail
from portail.context_processors import helpdesk_phone

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status


class PermanentEmailError(Exception):
    """Sending again cannot help: a bad address or a broken template."""


def _claim(email_ids: list[int]) -> list[OutboundEmail]:
    """Lock the due rows among these and move them to SENDING, under one lease.

    One transaction for the batch: a durable commit per email costs more than sending it.
    """
    now = timezone.now()
    with transaction.atomic():
        emails = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk__in=email_ids, status__in=[Status.QUEUED, Status.RETRY],
                    next_attempt_at__lte=now)
            .order_by("pk")
        )
        # A lease: if the worker dies, the sweep takes the rows back after it.
        lease = now + timedelta(seconds=settings.OUTBOX_SENDING_LEASE)
        OutboundEmail.objects.filter(pk__in=[email.pk for email in emails]).update(
            status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=lease
        )
    for email in emails:
        email.status, email.attempts, email.next_attempt_at = (
            Status.SENDING, email.attempts + 1, lease)
    return emails


def render_text(template_name: str, context: dict) -> str:
    """A subject or a plain-text part: not HTML, so nothing is escaped (an apostrophe in
    "l'Est de l'Ontario" stays one, never "&#x27;"), its includes neither."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def render_email(email: OutboundEmail, loaded: dict | None = None) -> EmailMultiAlternatives:
    """The email of this row; `loaded`: its context already loaded with its chunk's."""
    try:
        validate_email(email.recipient)
    except ValidationError as invalid:
        raise PermanentEmailError("Invalid recipient address") from invalid
    base = f"emails/{email.template}"
    try:
        # Inside the try: a context naming a model that is gone fails the row too.
        with translation.override(email.language):
            context = {
                **(context_load(email.context) if loaded is None else loaded),
                "board_name": settings.BOARD_NAME,
                "board_short_name": settings.BOARD_SHORT_NAME,
                "helpdesk_email": settings.HELPDESK_EMAIL,
                "helpdesk_phone": helpdesk_phone(),
                "site_url": settings.SITE_URL,
            }
            subject = render_text(f"{base}_subject.txt", context)
            text = render_text(f"{base}_message.txt", context)
            html = render_to_string(f"{base}_message.html", context)
    except (TemplateDoesNotExist, TemplateSyntaxError) as broken:
        raise PermanentEmailError(f"Template error: {broken}") from broken
    except Exception as broken:  # noqa: BLE001 - a rendering bug fails the row, not the worker
        raise PermanentEmailError(f"Rendering error: {broken!r}") from broken
    headers = {"Message-ID": f"<outbox-{email.pk}@{urlsplit(settings.SITE_URL).hostname}>"}
    if context.get("unsubscribe_url"):
        # RFC 8058: mail clients offer a one-click unsubscribe that POSTs to the link.
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[email.recipient],
        headers=headers,
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
        # What it carried (a reset link, an access code) is in the recipient's mailbox now;
        # the row keeps only who, what and when.
        email.context = None
    elif permanent or email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        email.status, email.last_error = Status.FAILED, error
        # Mail servers often name the refused address: the log keeps no parent's.
        logged = re.sub(re.escape(email.recipient), "[recipient]", error, flags=re.IGNORECASE)
        logger.error("Email %s failed for good: %s", email.pk, logged)
    else:
        email.status, email.last_error = Status.RETRY, error
        email.next_attempt_at = now + retry_delay(email.attempts)
    # Only our own claim: if the lease ran out and another worker took the row, its
    # outcome stands.
    OutboundEmail.objects.filter(
        pk=email.pk, status=Status.SENDING, attempts=email.attempts
    ).update(
        status=email.status, sent_at=email.sent_at, last_error=email.last_error,
        next_attempt_at=email.next_attempt_at, context=email.context,
    )


def _permanent(error: smtplib.SMTPException) -> bool:
    """A 5xx reply about this message or its recipient: sending again cannot help.

    A 4xx reply (greylisting, a full mailbox, a busy server) is worth a retry.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def emails_send(email_ids: Iterable[int]) -> None:
    """Send the due emails among these ids over one SMTP connection.

    Failures wait in RETRY; the sweep enqueues them again when their time comes. If the
    server cannot be reached, the rest of the batch waits in RETRY too.
    """
    emails = _claim(list(email_ids))
    # Sending may use half the lease; the other half is the margin of the last email.
    deadline = timezone.now() + timedelta(seconds=settings.OUTBOX_SENDING_LEASE / 2)
    try:
        contexts = contexts_load([email.context for email in emails])
    except Exception:  # noqa: BLE001 - a model gone: each row loads alone, and fails alone
        contexts = [None] * len(emails)
    connection = get_connection()
    try:
        for index, (email, loaded) in enumerate(zip(emails, contexts, strict=True)):
            if timezone.now() > deadline:
                break  # the rest stays SENDING: the sweep takes it back when the lease ends
            try:
                message = render_email(email, loaded)
                # Opened here, not by send(): send() closes a connection it opened itself.
                connection.open()
                message.connection = connection
                message.send()
            except PermanentEmailError as error:
                _finish(email, error=str(error), permanent=True)
            except smtplib.SMTPException as error:
                permanent = _permanent(error)
                _finish(email, error=repr(error), permanent=permanent)
                if not permanent:
                    connection.close()  # a broken connection must not fail the next email
            except OSError as error:  # the server cannot be reached
                for unsent in emails[index:]:
                    _finish(unsent, error=repr(error))
                break
            else:
                _finish(email)
    finally:
        connection.close()


def emails_due() -> list[int]:
    """Take back what a dead worker left SENDING; the ids due for sending, oldest first.

    Rows stay QUEUED when the broker was down at the event; RETRY rows wait for their time.
    """
    now = timezone.now()
    expired = OutboundEmail.objects.filter(status=Status.SENDING, next_attempt_at__lte=now)
    # An email whose sending keeps killing the worker must not come back forever.
    expired.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS).update(
        status=Status.FAILED, last_error="The worker stopped while sending, too many times."
    )
    expired.update(
        status=Status.RETRY, last_error="The worker stopped while sending; sending again."
    )
    return list(
        OutboundEmail.objects.filter(
            status__in=[Status.QUEUED, Status.RETRY], next_attempt_at__lte=now
        ).order_by("next_attempt_at").values_list("pk", flat=True)[: settings.OUTBOX_SWEEP_BATCH]
    )


def emails_forget_failed(*, now: datetime | None = None) -> int:
    """Clear what failed emails carried once their last attempt is too old to resend them:
    their links and codes have expired, and the row need not keep them. How many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OUTBOX_FAILED_KEEP_DAYS)
    # next_attempt_at: when the last attempt was due (a resent email starts again).
    return OutboundEmail.objects.filter(
        status=Status.FAILED, next_attempt_at__lt=cutoff, context__isnull=False
    ).update(context=None)
