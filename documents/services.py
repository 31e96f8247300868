"""Writes: publishing a reporting period (the rendering and the emails are the `pdf` worker's,
in documents.publishing), checking uploaded forms."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from accounts.audit import audit_record
from documents import publishing, selectors
from documents.models import (
    LearningSkill,
    ReportCard,
    ReportCardFile,
    ReportCardLine,
    ReportingPeriod,
)
from documents.tasks import render_report_cards
from portail.pdfs import pdf_content_check

logger = logging.getLogger(__name__)

Status = ReportCard.Status
RENDER_CHUNK = 20  # report cards per task: a task's overhead is paid once for them


@dataclass(frozen=True)
class PublishResult:
    queued: int
    up_to_date: int
    incomplete: int
    without_card: int = 0

    def summary(self) -> str:
        """The sentence staff read, in the active language."""
        parts = []
        if self.queued:
            parts.append(ngettext("%(count)s report card queued for rendering",
                                  "%(count)s report cards queued for rendering",
                                  self.queued) % {"count": self.queued})
        if self.up_to_date:
            parts.append(ngettext("%(count)s report card already up to date",
                                  "%(count)s report cards already up to date",
                                  self.up_to_date) % {"count": self.up_to_date})
        if self.incomplete:
            parts.append(ngettext(
                "%(count)s report card left out for missing marks or learning skills",
                "%(count)s report cards left out for missing marks or learning skills",
                self.incomplete) % {"count": self.incomplete})
        if not parts:
            parts.append(_("No report card in this period"))
        sentence = get_text_list(parts, _("and")) + "."
        if self.without_card:
            sentence += " " + ngettext(
                "%(count)s active student of the grades this report is for has no report "
                "card.", "%(count)s active students of the grades this report is for have no "
                "report card.", self.without_card) % {"count": self.without_card}
        return sentence


def period_publish(*, period: ReportingPeriod, actor=None) -> PublishResult:
    """Queue every complete report card of the period whose content changed since its last
    rendering (a new one: all); the others wait with what they miss (they are not
    published). Staff's publishing (actor) is in the audit trail."""
    with transaction.atomic():
        period = ReportingPeriod.objects.select_for_update().select_related("school").get(
            pk=period.pk)
        if period.published_at is None:
            period.published_at = timezone.now()
            period.save(update_fields=["published_at"])
        queued, up_to_date, incomplete = [], 0, 0
        rendered = _latest_fingerprints(period)
        skills = list(LearningSkill.objects.all())
        for card in selectors.cards_to_publish(period):
            missing = selectors.missing_marks(card, skills=skills)
            if missing:
                card.status = Status.INCOMPLETE
                card.status_reason = selectors.missing_reason(missing)
                incomplete += 1
            else:
                selectors.report_card_count(card)
                if period.is_secondary:
                    ReportCardLine.objects.bulk_update(
                        card.lines.all(), ["classes_missed", "times_late", "teacher_name"])
                card.status_reason = ""
                if card.pk in rendered and (
                        selectors.report_card_current(card)[1] == rendered[card.pk]):
                    card.status = Status.RENDERED  # what parents have is what it says
                    up_to_date += 1
                else:
                    card.status = Status.QUEUED
                    queued.append(card.pk)
            card.save(update_fields=["status", "status_reason", "days_absent", "times_late"])
        result = PublishResult(queued=len(queued), up_to_date=up_to_date,
                               incomplete=incomplete,
                               without_card=selectors.students_without_card(period).count())
        if actor is not None:
            with translation.override(settings.LANGUAGE_CODE):  # the board's staff read it
                reason = result.summary()
            audit_record(actor=actor, action="report_cards_publish", instance=period,
                         reason=reason)
        transaction.on_commit(lambda: _enqueue_rendering(queued, period.pk))
    return result


def _latest_fingerprints(period: ReportingPeriod) -> dict[int, str]:
    """Each rendered card's latest fingerprint, by card id."""
    latest = {}
    for card_id, fingerprint in (ReportCardFile.objects.filter(card__period=period)
                                 .order_by("card_id", "version")
                                 .values_list("card_id", "fingerprint")):
        latest[card_id] = fingerprint
    return latest


def _enqueue_rendering(card_ids: list[int], period_id: int) -> None:
    if not card_ids:
        publishing.report_cards_notify_period(period_id=period_id)
        return
    for start in range(0, len(card_ids), RENDER_CHUNK):
        render_report_cards.delay(card_ids[start:start + RENDER_CHUNK])


# --- Uploaded forms -----------------------------------------------------------------------

def pdf_upload_check(upload) -> None:
    """A real PDF (by content, not by name), within the size limit, without a script or a
    file inside it (portail.pdfs); else a ValidationError in French. Reads the upload and
    rewinds it."""
    if upload.size > settings.DOCUMENT_UPLOAD_MAX_BYTES:
        raise ValidationError(_("The file is too large: at most %(size)s MB.") % {
            "size": settings.DOCUMENT_UPLOAD_MAX_BYTES // (1024 * 1024)}, code="too_large")
    upload.seek(0)
    if upload.read(5) != b"%PDF-":
        raise ValidationError(_("This file is not a PDF."), code="not_pdf")
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        pages = len(reader.pages)
        pdf_content_check(reader)
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError) as broken:
        raise ValidationError(_("This PDF cannot be read: it is damaged."),
                              code="broken_pdf") from broken
    finally:
        upload.seek(0)
    if pages == 0:
        raise ValidationError(_("This PDF has no page."), code="empty_pdf")
