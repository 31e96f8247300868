"""factory_boy factories that satisfy every model constraint.

NISOs start with 999: obviously fake, so that demo and test data are never taken for a
real student's number (no real personal data outside production).
"""

import datetime
import io
from dataclasses import dataclass
from functools import cache
from importlib import import_module

import factory
from allauth.account.models import EmailAddress
from django.apps import apps as django_apps
from django.contrib.auth.hashers import make_password
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from absences.models import Reason
from accounts.models import User
from students import models

PASSWORD = "Un-mot-de-passe-de-test-2026"


@cache
def _password_hash() -> str:
    # Argon2 is deliberately slow: hash once per test run.
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"parent{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = "Alex"
    last_name = "Parent"
    password = factory.LazyFunction(_password_hash)

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        if create and user.email:
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )


def absence_reasons() -> dict[str, Reason]:
    """The board's reasons for an absence by code, as their data migration loads them
    (again if a transactional test's flush emptied the table, as with --reuse-db)."""
    import_module("absences.migrations.0003_reasons_as_board_data_actual_arrival") \
        .load_reasons(django_apps, None)
    return {reason.code: reason for reason in Reason.objects.all()}


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.School

    ministry_number = factory.Sequence(lambda n: f"{900000 + n}")
    code = factory.Sequence(lambda n: f"E{n:03d}")
    name = factory.Sequence(lambda n: f"École élémentaire publique Numéro {n}")
    level = models.Level.ELEMENTARY
    street = "2445, boulevard Saint-Laurent"
    city = "Ottawa"
    postal_code = "K1G 6C3"
    phone = "6137428960"
    principal_name = "Mme Josée Lalonde"


class SchoolYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SchoolYear
        django_get_or_create = ("name",)

    name = "2026-2027"
    start_date = datetime.date(2026, 9, 2)
    end_date = datetime.date(2027, 6, 25)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Term

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.SubFactory(SchoolYearFactory)
    code = "S1"
    name = "Semestre 1"
    start_date = datetime.date(2026, 9, 2)
    end_date = datetime.date(2027, 1, 29)


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Student

    niso = factory.Sequence(lambda n: f"999{n:06d}")
    legal_first_name = factory.Iterator(["Léa", "Noah", "Chloé", "Félix", "Zoé", "Émile"])
    legal_last_name = "Tremblay"
    date_of_birth = datetime.date(2015, 3, 14)
    gender = models.Student.Gender.FEMALE
    school = factory.SubFactory(SchoolFactory)
    grade = 6
    street = "12, rue des Érables"
    city = "Orléans"
    postal_code = "K1C 2N4"


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Guardian

    first_name = "Alice"
    last_name = "Tremblay"
    email = factory.Sequence(lambda n: f"tuteur{n}@example.com")
    primary_phone = "6135550123"
    street = "12, rue des Érables"
    city = "Orléans"
    postal_code = "K1C 2N4"


class StudentGuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StudentGuardian

    student = factory.SubFactory(StudentFactory)
    guardian = factory.SubFactory(GuardianFactory)
    relationship = models.StudentGuardian.Relationship.MOTHER
    has_custody = True


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Enrolment

    student = factory.SubFactory(StudentFactory)
    school = factory.SelfAttribute("student.school")
    grade = factory.SelfAttribute("student.grade")
    entry_date = datetime.date(2026, 9, 2)


class AttendanceCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AttendanceCode
        django_get_or_create = ("code",)

    code = "ABS"
    label_fr = "Absence motivée"
    label_en = "Excused absence"
    kind = models.AttendanceCode.Kind.ABSENT
    excused = True


class AttendanceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AttendanceRecord

    student = factory.SubFactory(StudentFactory)
    date = datetime.date(2026, 10, 5)
    code = factory.SubFactory(AttendanceCodeFactory)
    reason = "Rendez-vous médical"


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Course
        django_get_or_create = ("code",)

    code = "MTH1W"
    title_fr = "Mathématiques, 9e année"
    title_en = "Mathematics, Grade 9"
    credit_value = 1


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Section

    course = factory.SubFactory(CourseFactory)
    term = factory.SubFactory(TermFactory)
    school = factory.SelfAttribute("term.school")
    section_number = factory.Sequence(lambda n: f"{n:02d}")
    teacher_name = "M. Simon Bélanger"
    room = "204"


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Meeting

    section = factory.SubFactory(SectionFactory)
    day = models.Meeting.Day.MONDAY
    period = 1
    start_time = datetime.time(8, 15)
    end_time = datetime.time(9, 30)


class CourseResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CourseResult

    student = factory.SubFactory(StudentFactory)
    course = factory.SubFactory(CourseFactory)
    school = factory.SelfAttribute("student.school")
    school_year = factory.SubFactory(SchoolYearFactory, name="2025-2026",
                                     start_date=datetime.date(2025, 9, 2),
                                     end_date=datetime.date(2026, 6, 26))
    mark = 78
    credit_earned = 1


@dataclass
class Family:
    user: User
    guardian: models.Guardian
    children: list[models.Student]
    links: list[models.StudentGuardian]


def make_family(*, last_name: str, parent_first_name: str, children: int = 2) -> Family:
    """A parent with a portal account and children, each in a school of their own."""
    user = UserFactory(username=f"{parent_first_name}.{last_name}".lower(),
                       first_name=parent_first_name, last_name=last_name)
    guardian = GuardianFactory(first_name=parent_first_name, last_name=last_name, user=user,
                               email=user.email)
    kids, links = [], []
    for index in range(children):
        secondary = index % 2 == 1
        school = SchoolFactory(level=models.Level.SECONDARY if secondary
                               else models.Level.ELEMENTARY)
        child = StudentFactory(
            legal_last_name=last_name, school=school,
            grade=10 if secondary else 4,
            date_of_birth=datetime.date(2011, 5, 2) if secondary else datetime.date(2017, 8, 21),
        )
        kids.append(child)
        links.append(StudentGuardianFactory(student=child, guardian=guardian))
    return Family(user=user, guardian=guardian, children=kids, links=links)


def pdf_with_attachment() -> bytes:
    """A one-page PDF that carries a program inside it, which its reader may open."""
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.add_attachment("horaire.exe", b"MZ\x90\x00")
    carrying = io.BytesIO()
    writer.write(carrying)
    return carrying.getvalue()


def scripted_pdf() -> bytes:
    """A one-page PDF that runs JavaScript when it is opened."""
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert('hello');")})
    scripted = io.BytesIO()
    writer.write(scripted)
    return scripted.getvalue()
