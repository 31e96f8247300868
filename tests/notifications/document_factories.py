"""Report cards already published, for the home page: the file is only named (the home page
lists it; downloading is tests/documents' business), so nothing is rendered or stored."""

import datetime
import itertools

from django.utils import timezone

from documents.models import ReportCard, ReportCardFile, ReportingPeriod
from students.models import Level, Student
from tests.documents.factories import make_period

_numbers = itertools.count(1)


def published_report_card(student: Student, *, publication_date: datetime.date,
                          period: ReportingPeriod | None = None, version: int = 1
                          ) -> ReportCardFile:
    if period is None:
        secondary = student.school.level == Level.SECONDARY
        period = make_period(
            kind=(ReportingPeriod.Kind.SECONDARY_MIDTERM if secondary
                  else ReportingPeriod.Kind.ELEMENTARY_PROVINCIAL),
            school=student.school, name=f"Bulletin du {publication_date:%d/%m} ({next(_numbers)})",
            start_date=publication_date - datetime.timedelta(days=60),
            end_date=publication_date, publication_date=publication_date,
            published_at=timezone.now())
    card = ReportCard.objects.create(period=period, student=student, grade=student.grade,
                                     teacher_name="Mme Lavoie", principal_name="M. Roy",
                                     status=ReportCard.Status.RENDERED)
    stored = None
    for number in range(1, version + 1):
        stored = ReportCardFile.objects.create(
            card=card, version=number, file=f"report-cards/{card.public_id}-{number}.pdf",
            size=48_000, fingerprint=f"{number:064d}")
    return stored
