"""PDF work, routed to the `pdf` queue (settings.CELERY_TASK_ROUTES): tasks take ids."""

from celery import shared_task

from documents import publishing


@shared_task(acks_late=True, ignore_result=True)
def render_report_cards(card_ids: list[int]) -> int:
    return publishing.report_cards_render(card_ids=card_ids)


@shared_task(ignore_result=True)
def notify_due_report_cards() -> int:
    return publishing.report_cards_notify_due()
