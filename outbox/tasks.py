"""The outbox's Celery tasks: they take ids and call outbox/delivery.py."""

import logging

from celery import shared_task

from outbox import delivery

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def send_emails(email_ids: list[int]) -> None:
    delivery.emails_send(email_ids)


def enqueue_sending(email_ids: list[int], *, chunk: int = 50) -> None:
    """Hand ids to the worker. If the broker is down, the sweep sends them later."""
    for start in range(0, len(email_ids), chunk):
        try:
            send_emails.apply_async(args=[email_ids[start:start + chunk]], retry=False)
        except Exception:  # noqa: BLE001 - any broker failure: the sweep catches up
            logger.warning("Broker unavailable: %d email(s) left for the sweep",
                           len(email_ids) - start)
            return


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Celery beat's, every minute: what is due goes to the workers. How many."""
    due = delivery.emails_due()
    enqueue_sending(due)
    return len(due)


@shared_task(ignore_result=True)
def forget_failed_emails() -> int:
    return delivery.emails_forget_failed()
