"""The `pdf` worker's side of publishing: rendering queued report cards, storing them, and
announcing them (documents.signals) once a period is rendered and its day has come. Tasks
call it; it never queues tasks."""

import logging
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from documents import rendering, selectors
from documents.models import ReportCard, ReportCardFile, ReportingPeriod
from documents.signals import report_cards_published
from portail.formats import long_date

logger = logging.getLogger(__name__)

Status = ReportCard.Status


def report_card_render(*, card_id: int) -> bool:
    """Render one queued report card and store it; idempotent (a card not queued, or
    whose content has not changed since its last file, is left alone). Whether it rendered."""
    with transaction.atomic():
        card = ReportCard.objects.select_for_update().filter(pk=card_id,
                                                             status=Status.QUEUED).first()
        if card is None:
            return False
        card = selectors.report_card_for_rendering(card.pk)
        latest = card.files.order_by("-version").first()
        try:
            document, fingerprint = selectors.report_card_current(card)
            if latest is not None and latest.fingerprint == fingerprint:
                _set_status(card, Status.RENDERED)
                return False
            if latest is not None:  # a correction: parents see it marked as such
                document = {**document, "corrected": True,
                            "corrected_on": long_date(timezone.localdate())}
            pdf = rendering.report_card_pdf(document)
        except Exception as error:  # noqa: BLE001 - the reason is shown to staff
            logger.exception("Report card %s failed to render", card.pk)
            _set_status(card, Status.FAILED, f"{type(error).__name__}: {error}"[:500])
            return False
        version = (latest.version if latest else 0) + 1
        stored = ReportCardFile(card=card, version=version, size=len(pdf),
                                fingerprint=fingerprint)
        stored.file.save(f"{card.public_id}.pdf", ContentFile(pdf), save=False)
        stored.save()
        _set_status(card, Status.RENDERED)
        return True


def _set_status(card: ReportCard, status: str, reason: str = "") -> None:
    ReportCard.objects.filter(pk=card.pk).update(status=status, status_reason=reason)


def report_cards_render(*, card_ids: list[int]) -> int:
    """A task's batch; then, for each period with nothing left to render, the news."""
    rendered = sum(report_card_render(card_id=card_id) for card_id in card_ids)
    periods = set(ReportCard.objects.filter(pk__in=card_ids).values_list("period_id", flat=True))
    for period_id in periods:
        report_cards_notify_period(period_id=period_id)
    return rendered


def report_cards_notify_period(*, period_id: int) -> int:
    """Once nothing of the period remains to render, tell its families (if its report cards
    are already visible; otherwise the hourly task does on the publication date)."""
    period = ReportingPeriod.objects.get(pk=period_id)
    if period.report_cards.filter(status=Status.QUEUED).exists():
        return 0
    if period.publication_date > timezone.localdate():
        return 0
    return report_cards_notify(publication_date=period.publication_date)


def report_cards_notify(*, publication_date: date) -> int:
    """Announce the report cards published that day (signals.report_cards_published): the
    parents are told by the apps above, once per day and child. How many children."""
    student_ids = list(ReportCard.objects.filter(
        period__published_at__isnull=False, period__publication_date=publication_date,
        status=Status.RENDERED).order_by().values_list("student_id", flat=True).distinct())
    if not student_ids:
        return 0
    with transaction.atomic():
        report_cards_published.send(sender=ReportCard, student_ids=student_ids,
                                    publication_date=publication_date)
    return len(student_ids)


def report_cards_notify_due() -> int:
    """The hourly task: the periods whose publication day has come."""
    return report_cards_notify(publication_date=timezone.localdate())
