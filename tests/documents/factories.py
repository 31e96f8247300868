"""Reporting periods and report cards for tests: the demo's content (demo.report_cards)."""

import datetime

from demo.report_cards import demo_report_card
from documents.models import (
    LearningSkill,
    LearningSkillRating,
    ReportCard,
    ReportCardLine,
    ReportingPeriod,
)
from students.models import Level, School, Student
from tests import factories

Kind = ReportingPeriod.Kind


def make_period(*, kind: str = Kind.ELEMENTARY_PROVINCIAL, school: School | None = None,
                name: str = "Bulletin de février",
                publication_date: datetime.date = datetime.date(2027, 2, 15),
                **fields) -> ReportingPeriod:
    if school is None:
        secondary = kind in (Kind.SECONDARY_MIDTERM, Kind.SECONDARY_FINAL)
        school = factories.SchoolFactory(
            level=Level.SECONDARY if secondary else Level.ELEMENTARY)
    return ReportingPeriod.objects.create(
        school=school, school_year=factories.SchoolYearFactory(), kind=kind, name=name,
        start_date=fields.pop("start_date", datetime.date(2026, 9, 2)),
        end_date=fields.pop("end_date", datetime.date(2027, 1, 29)),
        publication_date=publication_date, **fields)


def make_card(period: ReportingPeriod, student: Student | None = None,
              **options) -> ReportCard:
    """A report card for the student (a new one at the period's school by default)."""
    student = student or factories.StudentFactory(school=period.school, grade=(
        10 if period.is_secondary else 0 if period.kind == Kind.KINDERGARTEN else 6))
    return demo_report_card(period, student, **options)


def rate_course(line: ReportCardLine, rating: str = LearningSkillRating.Rating.GOOD) -> None:
    """A secondary card's course rated on every learning skill."""
    LearningSkillRating.objects.bulk_create(
        LearningSkillRating(card=line.card, line=line, skill=skill, rating=rating)
        for skill in LearningSkill.objects.all())
