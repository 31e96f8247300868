from celery import shared_task

from notifications import events, services


@shared_task(acks_late=True, ignore_result=True)
def send_emails(email_ids: list[int]) -> None:
    services.emails_send(email_ids)


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    return services.emails_sweep()


@shared_task(ignore_result=True)
def forget_failed_emails() -> int:
    return services.emails_forget_failed()


@shared_task(ignore_result=True)
def send_notifications() -> int:
    """Every minute: announcements just published become events; due events leave."""
    events.announcements_announce()
    return events.deliveries_send()
