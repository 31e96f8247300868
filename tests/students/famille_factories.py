"""Factories for the Famille tab's newest models, and a child's school life for page tests.

`school_life` gives a child what the Famille pages show: the 2026-2027 year with two
semesters at the child's school, a published timetable, sections with their weekly
meetings, attendance records and enrolment history, all in bulk so that a test can make
hundreds of rows cheaply.
"""

import datetime
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import factory
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from students import models
from tests import factories

YEAR_START = datetime.date(2026, 9, 2)
YEAR_END = datetime.date(2027, 6, 25)
# The day the tests run on (brief-common: today is 2026-11-29, a Sunday), in semester 1.
TODAY = datetime.date(2026, 11, 29)
PERIOD_TIMES = [
    (datetime.time(8, 15), datetime.time(9, 30)),
    (datetime.time(9, 35), datetime.time(10, 50)),
    (datetime.time(11, 40), datetime.time(12, 55)),
    (datetime.time(13, 0), datetime.time(14, 15)),
]


def frozen_today() -> time_machine.travel:
    """The tests' clock: 29 November 2026, 10:00 in Toronto (semester 1), then ticking."""
    return time_machine.travel(datetime.datetime.combine(
        TODAY, datetime.time(10, 0), ZoneInfo("America/Toronto")))


class TimetablePublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TimetablePublication
        django_get_or_create = ("school", "school_year")

    school = factory.SubFactory(factories.SchoolFactory)
    school_year = factory.SubFactory(factories.SchoolYearFactory)
    published_on = datetime.date(2026, 8, 25)


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CalendarFeed

    user = factory.SubFactory(factories.UserFactory)
    student = factory.SubFactory(factories.StudentFactory)


class ParentFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ParentForm

    title_fr = factory.Sequence(lambda n: f"Sortie éducative au Musée de la nature {n}")
    title_en = factory.Sequence(lambda n: f"Field trip to the Museum of Nature {n}")
    body_fr = "Votre enfant participera à une sortie au musée.\n\nDépart à 9 h."
    body_en = "Your child will go on a museum field trip.\n\nLeaving at 9 a.m."
    kind = models.ParentForm.Kind.CONSENT
    school_year = factory.SubFactory(factories.SchoolYearFactory)


class ParentFormResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ParentFormResponse

    form = factory.SubFactory(ParentFormFactory)
    student = factory.SubFactory(factories.StudentFactory)
    answered_by = factory.SubFactory(factories.UserFactory)
    accepted = True
    signature = "Alice Tremblay"


def jpeg_upload(name: str = "photo.jpg") -> SimpleUploadedFile:
    """A real, tiny JPEG (4 × 5 px) for a student's photo."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 5), (0, 70, 107)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@dataclass
class SchoolLife:
    school_year: models.SchoolYear
    terms: list[models.Term]
    sections: list[models.Section]


def _school_days(count: int) -> list[datetime.date]:
    """`count` distinct school days (Monday to Friday) from the start of the year."""
    days, day = [], YEAR_START
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def attendance_codes() -> dict[str, models.AttendanceCode]:
    Kind = models.AttendanceCode.Kind
    rows = [
        ("ABS", "Absence motivée", "Excused absence", Kind.ABSENT, True),
        ("ABN", "Absence non motivée", "Unexcused absence", Kind.ABSENT, False),
        ("RET", "Retard", "Late", Kind.LATE, False),
        ("SOR", "Sortie éducative", "Field trip", Kind.SCHOOL_ACTIVITY, True),
    ]
    return {
        code: factories.AttendanceCodeFactory(code=code, label_fr=fr, label_en=en, kind=kind,
                                              excused=excused)
        for code, fr, en, kind, excused in rows
    }


def school_life(child: models.Student, *, attendance: int = 3, sections: int = 2,
                published_on: datetime.date | None = datetime.date(2026, 8, 25)) -> SchoolLife:
    """Give a child a year at school: terms, timetable, attendance, enrolment history.

    Attendance cycles through full-day absence, period absence, lateness and a field trip
    (one record per school day); sections alternate between the two semesters, each
    meeting every weekday at its own period.
    """
    year = factories.SchoolYearFactory()
    # Brothers and sisters may share a school, hence its terms.
    terms = [
        models.Term.objects.get_or_create(
            school=child.school, school_year=year, code=code,
            defaults={"name": name, "start_date": start, "end_date": end})[0]
        for code, name, start, end in [
            ("S1", "Semestre 1", YEAR_START, datetime.date(2027, 1, 29)),
            ("S2", "Semestre 2", datetime.date(2027, 2, 1), YEAR_END),
        ]
    ]
    if published_on is not None:
        TimetablePublicationFactory(school=child.school, school_year=year,
                                    published_on=published_on)
    codes = attendance_codes()
    cycle = [("ABS", None, "Rendez-vous médical"), ("ABN", 2, ""), ("RET", 1, "Autobus"),
             ("SOR", None, "Musée")]
    models.AttendanceRecord.objects.bulk_create(
        models.AttendanceRecord(student=child, date=day, code=codes[code], period=period,
                                reason=reason, minutes_late=10 if code == "RET" else None)
        for day, (code, period, reason) in zip(
            _school_days(attendance), (cycle[i % len(cycle)] for i in range(attendance)),
            strict=True)
    )
    made = []
    for index in range(sections):
        course = factories.CourseFactory(code=f"MAT{index:02d}",  # shared by siblings
                                         title_fr=f"Mathématiques {index}",
                                         title_en=f"Mathematics {index}")
        section = factories.SectionFactory(course=course, term=terms[index % 2],
                                           teacher_name=f"Mme Enseignante {index}",
                                           room=f"{100 + index}")
        start, end = PERIOD_TIMES[(index // 2) % len(PERIOD_TIMES)]
        models.Meeting.objects.bulk_create(
            models.Meeting(section=section, day=day, period=index // 2 + 1,
                           start_time=start, end_time=end)
            for day in models.Meeting.Day.values
        )
        models.SectionEnrolment.objects.create(student=child, section=section)
        made.append(section)
    previous = factories.SchoolFactory(name=f"École précédente de {child.legal_first_name}")
    factories.EnrolmentFactory(student=child, school=previous,
                               grade=max(child.grade - 1, models.Grade.JUNIOR_KINDERGARTEN),
                               entry_date=datetime.date(2025, 9, 2),
                               entry_reason="Nouvelle inscription",
                               withdrawal_date=datetime.date(2026, 6, 26),
                               withdrawal_reason="Déménagement")
    factories.EnrolmentFactory(student=child, entry_date=YEAR_START,
                               entry_reason="Transfert d'une école du Conseil")
    return SchoolLife(school_year=year, terms=terms, sections=made)


def give_photo(student: models.Student) -> None:
    student.photo.save("photo.jpg", jpeg_upload(), save=True)


def furnish_family(family: factories.Family, *, attendance: int = 3,
                   sections: int = 2) -> list[SchoolLife]:
    """Alice's children with their school life, a photo for the first, and two more
    contacts on the first: a father with access rights, and a father's partner whose
    portal access a court order turned off (the Contacts tab must hide them)."""
    lives = [school_life(child, attendance=attendance, sections=sections)
             for child in family.children]
    give_photo(family.children[0])
    first = family.children[0]
    factories.StudentGuardianFactory(
        student=first, relationship=models.StudentGuardian.Relationship.FATHER,
        guardian=factories.GuardianFactory(first_name="Marc", last_name="Tremblay",
                                           cell_phone="6135550199"),
        has_custody=False, has_access_rights=True, lives_with=False, contact_order=2,
    )
    factories.StudentGuardianFactory(
        student=first, relationship=models.StudentGuardian.Relationship.STEPPARENT,
        guardian=factories.GuardianFactory(first_name="Gontran", last_name="Cachédelafamille",
                                           email="gontran@example.com"),
        contact_order=3, portal_access=False, portal_access_off_reason="Ordonnance du tribunal",
    )
    return lives
