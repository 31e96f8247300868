"""The email outbox: queue an email with its event; the worker sends it after commit
(outbox/delivery.py, through outbox/tasks.py)."""

import uuid
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from outbox.context import context_dump
from outbox.models import OutboundEmail
from outbox.tasks import enqueue_sending

Status = OutboundEmail.Status


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
            "context": context_dump(context or {}),
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


def email_resend(email: OutboundEmail) -> bool:
    """The admin's "renvoyer": a failed email goes back to the queue, unless its content
    is no longer kept (emails_forget_failed). Whether it was queued."""
    queued = OutboundEmail.objects.filter(
        pk=email.pk, status=Status.FAILED, context__isnull=False
    ).update(status=Status.QUEUED, attempts=0, next_attempt_at=timezone.now(), last_error="")
    if queued:
        transaction.on_commit(lambda: enqueue_sending([email.pk]))
    return bool(queued)
