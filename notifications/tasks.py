from celery import shared_task

from notifications import events


@shared_task(ignore_result=True)
def send_notifications() -> int:
    """Every minute: announcements just published become events; due events leave."""
    events.announcements_announce()
    return events.deliveries_send()
