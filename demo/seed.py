"""Build the demo board in memory from one seeded generator, then write it in bulk.

Two runs with the same seed store the same data: every value comes from
`random.Random(seed)` or from the fixed school years in `tables`, never from the clock or
`uuid4()`. Objects are built first and written with `bulk_create`, table by table: no
query per row, so 20,000 students load in about a minute.
"""

import random
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from absences.models import AbsenceReport
from accounts.models import User
from demo import tables as t
from demo.absences import seed_absences
from demo.groups import seed_groups
from demo.report_cards import seed_report_cards
from diplomas.models import DiplomaRecord
from diplomas.tasks import store_outdated_releves
from students import timetable_cache
from students.models import (
    AttendanceCode,
    AttendanceRecord,
    Course,
    CourseResult,
    Enrolment,
    Guardian,
    Meeting,
    ParentForm,
    ParentFormResponse,
    School,
    SchoolYear,
    Section,
    SectionEnrolment,
    Student,
    StudentGuardian,
    Term,
    TimetablePublication,
)

DEFAULT_SEED = 2026
DEFAULT_STUDENTS = 60
MAX_STUDENTS = 500_000  # the NISOs 999-xxx-xxx run out near a million
PASSWORD = "Demo-Portail-2026"  # noqa: S105 (printed on purpose: demo accounts only)
BATCH_SIZE = 2000
ADMIN_USERNAME = "admin"
FAMILY_LOGIN_PREFIX = "famille"
DATE_JOINED = datetime(2026, 8, 31, 9, 0, tzinfo=ZoneInfo("America/Toronto"))
MONDAY, FRIDAY = 0, 4

Relationship = StudentGuardian.Relationship
Address = dict[str, str]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    email: str
    role: Promise


ADMIN = DemoLogin(ADMIN_USERNAME, "admin@example.com", _("Staff: Django admin (superuser)"))
PARENT = DemoLogin("parent.demo", "julie.tremblay@example.com",
                   _("Parent with custody: three children in two schools"))
NO_RIGHTS = DemoLogin("parent.sansdroits", "marc.gagnon@example.com",
                      _("Parent without custody or access rights: sees no child"))
COURT_ORDER = DemoLogin("parent.ordonnance", "patrick.levesque@example.com",
                        _("Parent whose portal access is off (court order): sees no child"))
DEMO_LOGINS = (ADMIN, PARENT, NO_RIGHTS, COURT_ORDER)


@dataclass(frozen=True)
class SeedReport:
    created: bool
    schools: int
    students: int
    families: int  # families with a portal account, besides the named demo accounts
    admin_kept: bool = False  # an `admin` account was already there: left untouched


def family_login(number: int) -> str:
    return f"{FAMILY_LOGIN_PREFIX}{number:05d}"


def demo_schools() -> models.QuerySet[School]:
    return School.objects.filter(ministry_number__in=[s.ministry_number for s in t.SCHOOLS])


def seed_demo(*, seed: int = DEFAULT_SEED, students: int = DEFAULT_STUDENTS,
              reset: bool = False) -> SeedReport:
    """Load the demo board, unless it is already there (then change nothing)."""
    with transaction.atomic():
        if reset:
            demo_delete()
        if demo_schools().exists():
            return SeedReport(
                created=False,
                schools=demo_schools().count(),
                students=Student.objects.filter(school__in=demo_schools()).count(),
                families=User.objects.filter(
                    username__regex=rf"^{FAMILY_LOGIN_PREFIX}[0-9]+$").count(),
            )
        admin_kept = User.objects.filter(username=ADMIN_USERNAME).exists()
        board = _DemoBoard(random.Random(seed), password=make_password(PASSWORD),
                           with_admin=not admin_kept)
        board.build(students)
        board.save()
    timetable_cache.retire_after_commit()  # bulk_create sends no signal
    seed_groups(schools=demo_schools())
    seed_absences(parent=User.objects.get(username=PARENT.username), schools=demo_schools())
    # The demo logins' children: rendering every student's report cards would take a
    # worker's hour on a board of 20,000.
    seed_report_cards(students=Student.objects.filter(
        guardian_links__guardian__user__username__in=[login.username for login in DEMO_LOGINS]))
    # As after an import: the secondary students' Relevé de notes pages are stored by the
    # worker (a visit before it is done computes its own).
    transaction.on_commit(store_outdated_releves.delay)
    return SeedReport(created=True, schools=len(board.schools), students=len(board.students),
                      families=board.families, admin_kept=admin_kept)


def demo_delete() -> None:
    """Delete the demo schools with their students, guardians and the guardians' accounts.

    The admin account stays (the audit trail points to it), and so do the reference rows
    shared with real data: school years, attendance codes, courses.
    """
    schools = demo_schools()
    students = Student.objects.filter(school__in=schools)
    guardians = Guardian.objects.filter(
        pk__in=StudentGuardian.objects.filter(student__in=students).values("guardian_id"))
    # A signed answer or a report protects the account that made it: they go first.
    ParentFormResponse.objects.filter(student__in=students).delete()
    AbsenceReport.objects.filter(student__in=students).delete()
    User.objects.filter(guardian__in=guardians).delete()
    guardians.delete()
    students.delete()
    Section.objects.filter(school__in=schools).delete()
    schools.delete()


# School calendar: Ontario years start the Tuesday after Labour Day and end late June.

def _on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def _next_weekday(day: date) -> date:
    return _on_or_after(day, MONDAY) if day.weekday() > FRIDAY else day


def first_school_day(year: int) -> date:
    return _on_or_after(date(year, 9, 1), MONDAY) + timedelta(days=1)


def last_school_day(year: int) -> date:
    return _on_or_before(date(year + 1, 6, 28), FRIDAY)


def end_of_first_semester(year: int) -> date:
    return _on_or_before(date(year + 1, 1, 31), FRIDAY)


def thanksgiving(year: int) -> date:
    return _on_or_after(date(year, 10, 1), MONDAY) + timedelta(weeks=1)


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_name.lower() if c.isalnum() or c == "-")


@cache
def _elementary_meetings(grade: int) -> tuple[tuple[int, int, str, time, time], ...]:
    """A homeroom's week as (day, period, course code, start, end).

    Back-to-back periods of one subject make one meeting; a break keeps them apart.
    """
    def course_code(subject: str) -> str:
        if grade in t.KINDERGARTEN_COURSES:
            return t.KINDERGARTEN_COURSES[grade][0]
        if subject == "SOC":
            subject = "ETU" if grade <= 6 else "HIG"
        if subject == "ANG" and grade < 4:
            subject = "FRA"
        return t.elementary_code(subject, grade)

    meetings = []
    for day in range(5):
        run: list = []
        for period, row in enumerate(t.ELEMENTARY_WEEK):
            code = course_code(row[day])
            start, end = t.ELEMENTARY_PERIODS[period]
            if run and run[2] == code and run[4] == start:
                run[4] = end
                continue
            if run:
                meetings.append(tuple(run))
            run = [day + 1, period + 1, code, start, end]
        meetings.append(tuple(run))
    return tuple(meetings)


def _ensure(model: type[models.Model], key: str, objs: list) -> dict:
    """Reuse the rows already stored under the same natural key; create the others."""
    existing = model.objects.in_bulk([getattr(obj, key) for obj in objs], field_name=key)
    model.objects.bulk_create([obj for obj in objs if getattr(obj, key) not in existing])
    return {getattr(obj, key): existing.get(getattr(obj, key), obj) for obj in objs}


def _reference_courses() -> list[Course]:
    courses = [Course(code=code, title_fr=fr, title_en=en, credit_value=Decimal(credit))
               for code, fr, en, credit in t.SECONDARY_COURSES]
    for prefix, fr, en, first, last in t.ELEMENTARY_SUBJECTS:
        for grade in range(first, last + 1):
            ordinal = "1re" if grade == 1 else f"{grade}e"
            courses.append(Course(code=t.elementary_code(prefix, grade),
                                  title_fr=f"{fr}, {ordinal} année",
                                  title_en=f"{en}, Grade {grade}", credit_value=0))
    courses += [Course(code=code, title_fr=fr, title_en=en, credit_value=0)
                for code, fr, en in t.KINDERGARTEN_COURSES.values()]
    return courses


class _Rows:
    """Rows of one model kept as plain values until their parents are stored.

    Made into instances with the parents' keys, not the parents themselves: Django's
    related-object descriptors would double the cost of 400,000 instances.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.rows: list[dict] = []
        self.keys = {f.name: f.attname for f in model._meta.concrete_fields if f.is_relation}

    def add(self, **values) -> dict:
        self.rows.append(values)
        return values

    def save(self) -> None:
        keys = self.keys
        self.model.objects.bulk_create(
            [self.model(**{keys.get(name, name): value.pk if name in keys else value
                           for name, value in row.items()}) for row in self.rows],
            batch_size=BATCH_SIZE,
        )


class _DemoBoard:
    """The whole board as unsaved objects; `save()` writes them table by table.

    Only the reference rows (school years, attendance codes, courses) are stored at once,
    reusing those already there.
    """

    def __init__(self, rng: random.Random, *, password: str, with_admin: bool) -> None:
        self.rng = rng
        self.password = password
        self.with_admin = with_admin
        self.families = 0
        self.specs = {spec.code: spec for spec in t.SCHOOLS}
        self.schools = {
            spec.code: School(
                code=spec.code, ministry_number=spec.ministry_number, name=spec.name,
                level=spec.level, street=spec.street, city=spec.city,
                postal_code=spec.postal_code, phone=spec.phone, principal_name=spec.principal,
            )
            for spec in t.SCHOOLS
        }
        self.elementary_schools = [s for s in self.schools.values() if s.level == t.ELEMENTARY]
        self.years = {
            int(year.name[:4]): year
            for year in _ensure(SchoolYear, "name", [
                SchoolYear(name=t.school_year_name(start), start_date=first_school_day(start),
                           end_date=last_school_day(start))
                for start in range(t.FIRST_RECORDED_YEAR, t.CURRENT_YEAR + 1)
            ]).values()
        }
        self.codes = _ensure(AttendanceCode, "code", [
            AttendanceCode(code=code, label_fr=fr, label_en=en, kind=kind, excused=excused)
            for code, fr, en, kind, excused in t.ATTENDANCE_CODES
        ])
        self.courses = _ensure(Course, "code", _reference_courses())
        self.terms = {
            (school.code, start, term.code): term
            for school in self.schools.values()
            for start in range(t.TERMS_FROM_YEAR, t.CURRENT_YEAR + 1)
            for term in self._terms(school, start)
        }
        days = (first_school_day(t.CURRENT_YEAR) + timedelta(days=n)
                for n in range((t.RECORDED_UNTIL - first_school_day(t.CURRENT_YEAR)).days + 1))
        self.school_days = [d for d in days
                            if d.weekday() <= FRIDAY and d != thanksgiving(t.CURRENT_YEAR)]
        # Parents, as instances; then the rows that point to them.
        self.users: list[User] = []
        self.students: list[Student] = []
        self.guardians: list[Guardian] = []
        self.sections: list[Section] = []
        self.emails = _Rows(EmailAddress)
        self.links = _Rows(StudentGuardian)
        self.enrolments = _Rows(Enrolment)
        self.attendance = _Rows(AttendanceRecord)
        self.results = _Rows(CourseResult)
        self.diploma_records = _Rows(DiplomaRecord)
        self.meetings = _Rows(Meeting)
        self.section_enrolments = _Rows(SectionEnrolment)
        self.publications = _Rows(TimetablePublication)
        self.forms = _Rows(ParentForm)
        self.classes: dict[tuple[str, int], list[Student]] = defaultdict(list)
        self.staff: dict[tuple, tuple[str, str]] = {}
        self.rooms_given: dict[str, int] = defaultdict(int)

    def _terms(self, school: School, start: int) -> list[Term]:
        year = self.years[start]
        first, last = first_school_day(start), last_school_day(start)
        if school.level == t.ELEMENTARY:
            return [Term(school=school, school_year=year, code="AN", name="Année scolaire",
                         start_date=first, end_date=last)]
        january = end_of_first_semester(start)
        return [
            Term(school=school, school_year=year, code="S1", name="Semestre 1",
                 start_date=first, end_date=january),
            Term(school=school, school_year=year, code="S2", name="Semestre 2",
                 start_date=_on_or_after(january, MONDAY), end_date=last),
        ]

    def build(self, count: int) -> None:
        nisos = (f"999{n:06d}" for n in self.rng.sample(range(1000, 1_000_000), count))
        if self.with_admin:
            self._account(ADMIN.username, ADMIN.email, first="Administration", last="Démo",
                          staff=True)
        self._named_families()
        while count:
            self.families += 1
            size = min(count, self.rng.choices((1, 2, 3), (45, 40, 15))[0])
            self._family(self.families, size, nisos)
            count -= size
        self._timetables()
        self._school_notices()

    def save(self) -> None:
        for model, objs in (
            (User, self.users), (School, list(self.schools.values())),
            (Term, list(self.terms.values())), (Student, self.students),
            (Guardian, self.guardians), (Section, self.sections),
        ):
            model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        for rows in (self.emails, self.links, self.enrolments, self.attendance, self.results,
                     self.diploma_records, self.meetings, self.section_enrolments,
                     self.publications, self.forms):
            rows.save()

    def _school_notices(self) -> None:
        """What the schools put before parents: this year's timetables, and a few forms."""
        year = self.years[t.CURRENT_YEAR]
        for school in self.schools.values():
            self.publications.add(school=school, school_year=year,
                                  published_on=t.TIMETABLES_SHOWN_FROM)
        for code, grade, kind, title_fr, title_en, body_fr, body_en in t.PARENT_FORMS:
            self.forms.add(school=self.schools[code], school_year=year, grade=grade, kind=kind,
                           title_fr=title_fr, title_en=title_en, body_fr=body_fr,
                           body_en=body_en, public_id=self._public_id())

    def _public_id(self) -> uuid.UUID:
        # Random, as the models' uuid4 default, but the same on every run with this seed.
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    # People

    def _account(self, username: str, email: str, *, first: str, last: str,
                 language: str = "fr", staff: bool = False) -> User:
        """A portal account that can log in at once: its email is already verified."""
        user = User(username=username, email=email, first_name=first, last_name=last,
                    password=self.password, preferred_language=language, is_staff=staff,
                    is_superuser=staff, date_joined=DATE_JOINED)
        self.users.append(user)
        self.emails.add(user=user, email=email, verified=True, primary=True)
        return user

    def _phone(self) -> str:
        # 555-01xx: the numbers kept for fiction.
        area = self.rng.choices(("613", "343"), (4, 1))[0]
        return f"{area}55501{self.rng.randrange(100):02d}"

    def _address(self, city: str) -> Address:
        rng = self.rng
        letters = "ABCEGHJKLMNPRSTVWXYZ"
        fsa = rng.choice(t.CITIES[city][0])
        ldu = f"{rng.randrange(10)}{rng.choice(letters)}{rng.randrange(10)}"
        return {"street": f"{rng.randint(1, 2999)}, {rng.choice(t.STREETS)}", "city": city,
                "postal_code": f"{fsa} {ldu}"}

    def _guardian(self, *, first: str, last: str, address: Address, email: str = "",
                  language: str = "fr") -> Guardian:
        rng = self.rng
        guardian = Guardian(
            first_name=first, last_name=last,
            email=email or f"{_slug(first)}.{_slug(last)}.{len(self.guardians) + 1}@example.com",
            primary_phone=self._phone(),
            cell_phone=self._phone() if rng.random() < 0.8 else "",
            work_phone=self._phone() if rng.random() < 0.4 else "",
            preferred_language=language, **address,
        )
        self.guardians.append(guardian)
        return guardian

    def _link(self, guardian: Guardian, student: Student, relationship: str, order: int,
              **rights) -> None:
        # The demo's guardians have custody unless said otherwise; a link's own default
        # grants nothing.
        self.links.add(guardian=guardian, student=student, relationship=relationship,
                       contact_order=order, **{"has_custody": True, **rights})

    def _student(self, *, niso: str, first: str, last: str, gender: str, grade: int,
                 born: date, school: School, address: Address, preferred: str = "",
                 language: str = "fr") -> Student:
        student = Student(
            public_id=self._public_id(), niso=niso,
            legal_first_name=first, legal_last_name=last, preferred_first_name=preferred,
            date_of_birth=born, gender=gender, language=language, school=school, grade=grade,
            **address,
        )
        self.students.append(student)
        self.classes[(school.code, grade)].append(student)
        return student

    def _named_families(self) -> None:
        """The accounts printed at the end, each showing one access rule."""
        home = {"street": "1287, rue des Pins", "city": "Orléans", "postal_code": "K1C 2N4"}
        julie = self._guardian(first="Julie", last="Tremblay", address=home, email=PARENT.email)
        julie.user = self._account(PARENT.username, PARENT.email, first="Julie",
                                   last="Tremblay")
        marc = self._guardian(first="Marc", last="Gagnon", email=NO_RIGHTS.email, address={
            "street": "48, croissant des Bouleaux", "city": "Kanata", "postal_code": "K2M 2T6"})
        marc.user = self._account(NO_RIGHTS.username, NO_RIGHTS.email, first="Marc",
                                  last="Gagnon")
        secondary, elementary = self.schools["ESPGP"], self.schools["EEPER"]
        children = (
            self._student(niso="999000001", first="Marie-Léa", preferred="Léa", last="Gagnon",
                          gender="F", grade=11, born=date(2010, 4, 17), school=secondary,
                          address=home),
            self._student(niso="999000002", first="Thomas", last="Gagnon", gender="M",
                          grade=5, born=date(2016, 10, 3), school=elementary, address=home),
            self._student(niso="999000003", first="Chloé", last="Gagnon", gender="F",
                          grade=0, born=date(2021, 6, 22), school=elementary, address=home),
        )
        for child in children:
            self._link(julie, child, Relationship.MOTHER, 1, emergency_contact=True)
            # Separated, no custody, and no access rights granted: sees nothing.
            self._link(marc, child, Relationship.FATHER, 2, has_custody=False,
                       lives_with=False)
        lea, thomas, chloe = children
        self._school_life(lea, elementary, arrival=-1, records=6, withdraw_one=True)
        self._retaken(lea, "MPM2D", failed_mark=46, mark=72)
        lea_record = self.diploma_records.rows[-1]
        lea_record.update(community_hours=Decimal(28), literacy_test_passed_on=date(2026, 3, 31),
                          financial_literacy_met=True)
        self._school_life(thomas, elementary, arrival=-1, moved_in=2, records=6)
        self._school_life(chloe, elementary, arrival=-1, records=6)

        home = {"street": "17, rue des Lilas", "city": "Kanata", "postal_code": "K2T 1C8"}
        nadia = self._guardian(first="Nadia", last="Bouchard", address=home)
        patrick = self._guardian(first="Patrick", last="Lévesque", email=COURT_ORDER.email,
                                 address=self._address("Kanata"))
        patrick.user = self._account(COURT_ORDER.username, COURT_ORDER.email,
                                     first="Patrick", last="Lévesque")
        school = self.schools["EEPHB"]
        emile = self._student(niso="999000004", first="Émile", last="Lévesque", gender="M",
                              grade=8, born=date(2013, 2, 8), school=school, address=home)
        self._link(nadia, emile, Relationship.MOTHER, 1, emergency_contact=True)
        # Access rights on paper, but a court order turned the portal off.
        self._link(patrick, emile, Relationship.FATHER, 2, has_custody=False,
                   has_access_rights=True, lives_with=False, portal_access=False,
                   portal_access_off_reason=t.COURT_ORDER)
        self._school_life(emile, school, arrival=-1, records=6)

    def _family(self, number: int, size: int, nisos: Iterator[str]) -> None:
        rng = self.rng
        cities = list(t.CITIES)
        city = rng.choices(cities, [t.CITIES[c][1] for c in cities])[0]
        home = self._address(city)
        language = rng.choices(("fr", "en"), (85, 15))[0]
        first_is_mother = rng.random() < 0.6
        first = self._guardian(
            first=rng.choice(t.ADULT_FEMALE_NAMES if first_is_mother else t.ADULT_MALE_NAMES),
            last=rng.choice(t.LAST_NAMES), address=home, language=language,
        )
        first.user = self._account(family_login(number), first.email, first=first.first_name,
                                   last=first.last_name, language=language)
        relationship = Relationship.MOTHER if first_is_mother else Relationship.FATHER
        contacts = [(first, relationship, {"emergency_contact": True})]
        last_names = [first.last_name]
        if rng.random() < 0.85:
            separated = rng.random() < 0.25
            second_is_mother = not first_is_mother if rng.random() < 0.94 else first_is_mother
            second = self._guardian(
                first=rng.choice(t.ADULT_FEMALE_NAMES if second_is_mother
                                 else t.ADULT_MALE_NAMES),
                last=rng.choice(t.LAST_NAMES), language=language,
                address=self._address(city) if separated else home,
            )
            if second_is_mother == first_is_mother:
                contacts[0] = (first, Relationship.PARENT, contacts[0][2])
                relationship = Relationship.PARENT
            else:
                relationship = Relationship.MOTHER if second_is_mother else Relationship.FATHER
            if not separated:
                rights = {"emergency_contact": True}
            elif rng.random() < 0.5:  # joint custody, living with the other parent
                rights = {"lives_with": False}
            else:
                rights = {"has_custody": False, "lives_with": False,
                          "has_access_rights": rng.random() < 0.8}
            contacts.append((second, relationship, rights))
            last_names += [second.last_name, f"{first.last_name}-{second.last_name}"]
        if rng.random() < 0.15:
            grandparent = self._guardian(first=rng.choice(t.GRANDPARENT_NAMES),
                                         last=rng.choice(t.LAST_NAMES),
                                         address=self._address(city))
            contacts.append((grandparent, Relationship.GRANDPARENT, {
                "has_custody": False, "lives_with": False, "emergency_contact": True}))
        last_name = rng.choices(last_names, (55, 35, 10)[:len(last_names)])[0]

        schools = [s for s in self.schools.values() if s.city == city]
        elementary = rng.choice([s for s in schools if s.level == t.ELEMENTARY])
        secondary = next(s for s in schools if s.level == t.SECONDARY)
        for grade in sorted(rng.sample(range(-1, 13), size), reverse=True):
            gender = rng.choices("FMX", (49, 49, 2))[0]
            names = {"F": t.FEMALE_NAMES, "M": t.MALE_NAMES}.get(
                gender, t.FEMALE_NAMES + t.MALE_NAMES)
            preferred = ""
            if gender == "X" or rng.random() < 0.03:
                preferred = rng.choice(t.UNISEX_NAMES)
            born_in = t.CURRENT_YEAR - grade - 5  # JK children turn 4 in their first year
            child = self._student(
                niso=next(nisos), first=rng.choice(names), preferred=preferred,
                last=last_name, gender=gender, grade=grade,
                born=date(born_in, 1, 1) + timedelta(days=rng.randrange(365)),
                school=secondary if grade >= self.specs[secondary.code].grades[0]
                else elementary,
                address=home, language=rng.choices(("fr", "en", "other"), (85, 10, 5))[0],
            )
            for order, (guardian, relationship, rights) in enumerate(contacts, start=1):
                self._link(guardian, child, relationship, order, **rights)
            self._school_life(child, elementary)

    # School life: enrolment history, transcript, attendance

    def _school_life(self, student: Student, elementary: School, *, arrival: int | None = None,
                     moved_in: int | None = None, records: int | None = None,
                     withdraw_one: bool = False) -> None:
        entered_grade, entered_on = self._enrolments(student, elementary, arrival, moved_in)
        if student.school.level == t.SECONDARY:
            lines = self._results(student, entered_grade, entered_on, withdraw_one)
            if student.is_secondary:
                self._diploma_record(student, lines)
        self._attendance(student, entered_on, records)

    def _enrolments(self, student: Student, elementary: School, arrival: int | None,
                    moved_in: int | None) -> tuple[int, date]:
        """Write the stays in the board's schools (Adhésion).

        Returns the grade and the day the student entered the current school.
        """
        rng = self.rng

        def start_of(grade: int) -> int:
            return t.CURRENT_YEAR - student.grade + grade

        if arrival is None:
            arrival = -1 if student.grade == -1 or rng.random() < 0.85 else rng.randint(
                0, student.grade)
        if arrival == -1:
            entry, reason = first_school_day(start_of(-1)), t.FIRST_ENTRY
        else:
            entry, reason = self._arrival_day(start_of(arrival)), rng.choice(t.ARRIVAL_REASONS)
        if student.school.level == t.ELEMENTARY:
            stay = self._elementary_stays(student, elementary, arrival, student.grade, entry,
                                          reason, moved_in, start_of)
            return stay["grade"], stay["entry_date"]
        secondary_from = self.specs[student.school.code].grades[0]
        if arrival < secondary_from:
            stay = self._elementary_stays(student, elementary, arrival, secondary_from - 1,
                                          entry, reason, moved_in, start_of)
            stay["withdrawal_date"] = last_school_day(start_of(secondary_from - 1))
            stay["withdrawal_reason"] = t.END_OF_ELEMENTARY
            arrival, entry = secondary_from, first_school_day(start_of(secondary_from))
            reason = t.TO_SECONDARY
        self._enrol(student, student.school, arrival, entry, reason)
        return arrival, entry

    def _elementary_stays(self, student: Student, school: School, grade: int, last_grade: int,
                          entry: date, reason: str, moved_in: int | None,
                          start_of) -> dict:
        """The stays up to `last_grade`, sometimes after a move from another town."""
        rng = self.rng
        latest_move = min(last_grade, student.grade - 1)  # moves are in past years only
        if moved_in is None and grade < latest_move and rng.random() < 0.08:
            moved_in = rng.randint(grade + 1, latest_move)
        if moved_in is not None:
            before = rng.choice([s for s in self.elementary_schools if s.city != school.city
                                 and self.specs[s.code].grades[1] >= moved_in])
            left = self._mid_year_day(start_of(moved_in))
            self._enrol(student, before, grade, entry, reason, left, t.MOVED_OUT)
            grade, entry, reason = moved_in, _next_weekday(left + timedelta(days=3)), \
                t.TRANSFER_IN
        return self._enrol(student, school, grade, entry, reason)

    def _enrol(self, student: Student, school: School, grade: int, entry: date, reason: str,
               left: date | None = None, left_reason: str = "") -> dict:
        return self.enrolments.add(student=student, school=school, grade=grade,
                                   entry_date=entry, entry_reason=reason, withdrawal_date=left,
                                   withdrawal_reason=left_reason)

    def _mid_year_day(self, start: int) -> date:
        # In the autumn, or between the winter holidays and May.
        days = (self.rng.randrange(30, 100) if self.rng.random() < 0.5
                else self.rng.randrange(130, 250))
        return _next_weekday(first_school_day(start) + timedelta(days=days))

    def _arrival_day(self, start: int) -> date:
        if self.rng.random() < 0.6:
            return first_school_day(start)
        if start == t.CURRENT_YEAR:
            days = self.rng.randrange(1, (t.RECORDED_UNTIL - first_school_day(start)).days)
            return _next_weekday(first_school_day(start) + timedelta(days=days))
        return self._mid_year_day(start)

    def _results(self, student: Student, since_grade: int, since: date,
                 withdraw_one: bool) -> list[dict]:
        """Transcript lines for the semesters already finished at this school."""
        rng = self.rng
        lines = []
        ability = rng.gauss(75, 8)
        withdrawable = None
        for grade in range(max(9, since_grade), student.grade):
            start = t.CURRENT_YEAR - student.grade + grade
            for term, slots in t.SECONDARY_SLOTS[grade].items():
                done = end_of_first_semester(start) if term == "S1" else last_school_day(start)
                if done < since:
                    continue
                for options in slots:
                    for code in rng.choice(options):
                        course = self.courses[code]
                        mark = max(25, min(99, round(ability + rng.gauss(0, 7))))
                        line = self.results.add(
                            student=student, course=course, school=student.school,
                            school_year=self.years[start], completion_date=done, mark=mark,
                            credit_earned=course.credit_value if mark >= 50 else 0,
                        )
                        lines.append(line)
                        if rng.random() < 0.004 or withdraw_one:
                            withdrawable = line
        if withdrawable:
            # A W on the transcript: dropped after the deadline, with the mark at that time
            # (often why), and no credit.
            withdrawable.update(withdrawn=True, mark=min(withdrawable["mark"], 45),
                                credit_earned=0, completion_date=None)
        return lines

    def _diploma_record(self, student: Student, lines: list[dict]) -> None:
        """Community hours, the OSSLT (written in Grade 10) and a few online courses.

        From a generator of the student's own, so that the rest of the board stays as it was.
        """
        rng = random.Random(student.niso)
        hours = min(40, max(0, round(rng.gauss(11 * (student.grade - 8), 6))))
        passed = student.grade >= 11 and rng.random() < 0.9
        for line in lines:
            if line["course"].code in t.ONLINE_COURSES and rng.random() < 0.4:
                line["online"] = True
        self.diploma_records.add(
            student=student, community_hours=Decimal(hours),
            literacy_test_passed_on=date(t.CURRENT_YEAR - student.grade + 10, 3, 31)
            if passed else None,
            financial_literacy_met=student.grade >= 11 and rng.random() < 0.8)

    def _retaken(self, student: Student, code: str, *, failed_mark: int, mark: int) -> None:
        """A course failed, then passed in the summer school of the same year."""
        line = next(line for line in self.results.rows
                    if line["student"] is student and line["course"].code == code)
        line.update(mark=failed_mark, credit_earned=0)
        school_year = line["school_year"]
        self.results.add(student=student, course=line["course"], school=student.school,
                         school_year=school_year, mark=mark,
                         credit_earned=line["course"].credit_value,
                         completion_date=date(int(school_year.name[5:]), 7, 24))

    def _attendance(self, student: Student, since: date, records: int | None) -> None:
        rng = self.rng
        days = [day for day in self.school_days if day >= since]
        storm = t.GENERAL_ABSENCE_DAYS.get(student.school.city)
        if storm in days:
            days.remove(storm)
            self.attendance.add(student=student, date=storm, code=self.codes["JGA"],
                                reason=t.GENERAL_ABSENCE_REASON)
        if records is None:
            records = rng.choices(range(len(t.RECORDS_PER_STUDENT)), t.RECORDS_PER_STUDENT)[0]
        by_period = student.school.level == t.SECONDARY
        draws = [draw[0] for draw in t.ATTENDANCE_DRAWS]
        weights = [draw[1] for draw in t.ATTENDANCE_DRAWS]
        reasons = {draw[0]: draw[2] for draw in t.ATTENDANCE_DRAWS}
        for day in sorted(rng.sample(days, min(records, len(days)))):
            code = self.codes[rng.choices(draws, weights)[0]]
            period = minutes = None
            if code.kind == AttendanceCode.Kind.LATE:
                period = rng.randint(1, len(t.SECONDARY_PERIODS)) if by_period else 1
                minutes = rng.randint(5, 40)
            elif by_period and rng.random() < 0.6:
                period = rng.randint(1, len(t.SECONDARY_PERIODS))
            self.attendance.add(student=student, date=day, period=period, code=code,
                                reason=rng.choice(reasons[code.code]), minutes_late=minutes)

    # Timetables (Emploi du temps) for the current year

    def _timetables(self) -> None:
        for (code, grade), members in self.classes.items():
            school = self.schools[code]
            size = t.CLASS_SIZE[school.level]
            for number, first in enumerate(range(0, len(members), size)):
                group = members[first:first + size]
                if school.level == t.ELEMENTARY:
                    self._homeroom(school, grade, number, group)
                else:
                    self._cohort(school, grade, number, group)

    def _teacher(self) -> str:
        if self.rng.random() < 0.7:
            return f"Mme {self.rng.choice(t.ADULT_FEMALE_NAMES)} {self.rng.choice(t.LAST_NAMES)}"
        return f"M. {self.rng.choice(t.ADULT_MALE_NAMES)} {self.rng.choice(t.LAST_NAMES)}"

    def _classroom(self, school: School) -> str:
        given = self.rooms_given[school.code]
        self.rooms_given[school.code] += 1
        return f"{given // 30 + 1}{given % 30 + 1:02d}"

    def _staff(self, *key) -> tuple[str, str]:
        """A teacher and their classroom, the same for every section with this key."""
        if key not in self.staff:
            self.staff[key] = (self._teacher(), self._classroom(self.schools[key[0]]))
        return self.staff[key]

    def _homeroom(self, school: School, grade: int, number: int, group: list[Student]) -> None:
        term = self.terms[(school.code, t.CURRENT_YEAR, "AN")]
        teacher, room = self._staff(school.code, "homeroom", grade, number)
        sections: dict[str, Section] = {}
        for day, period, code, start, end in _elementary_meetings(grade):
            if code not in sections:
                subject = code[:3]
                if subject == "EPS":  # the gym teacher, in the gym
                    section_teacher = self._staff(school.code, subject, grade // 3)[0]
                    section_room = "Gymnase"
                elif subject == "ANG":
                    section_teacher, section_room = self._staff(school.code, subject)[0], room
                else:
                    section_teacher, section_room = teacher, room
                sections[code] = Section(course=self.courses[code], school=school, term=term,
                                         section_number=f"{number + 1:02d}",
                                         teacher_name=section_teacher, room=section_room)
                self.sections.append(sections[code])
            self.meetings.add(section=sections[code], day=day, period=period,
                              start_time=start, end_time=end)
        for student in group:
            student.homeroom = room
            for section in sections.values():
                self.section_enrolments.add(student=student, section=section)

    def _cohort(self, school: School, grade: int, number: int, group: list[Student]) -> None:
        """Students of one grade sharing a timetable; electives split them within a slot."""
        sections: dict[tuple[str, str], Section] = {}
        for term_code, slots in t.SECONDARY_SLOTS[grade].items():
            term = self.terms[(school.code, t.CURRENT_YEAR, term_code)]
            for slot, options in enumerate(slots):
                # Cohorts rotate through the periods so that one teacher can take several.
                period = (slot + number) % len(t.SECONDARY_PERIODS) + 1
                for student in group:
                    for code in self.rng.choice(options):
                        if (term_code, code) not in sections:
                            sections[(term_code, code)] = self._section(
                                school, term, code, number, period)
                        section = sections[(term_code, code)]
                        self.section_enrolments.add(student=student, section=section)
                        if term_code == "S1" and period == 1:
                            student.homeroom = section.room

    def _section(self, school: School, term: Term, code: str, number: int,
                 period: int) -> Section:
        teacher, room = self._staff(school.code, code, number // 3)
        section = Section(course=self.courses[code], school=school, term=term,
                          section_number=f"{number + 1:02d}", teacher_name=teacher, room=room)
        self.sections.append(section)
        start, end = t.SECONDARY_PERIODS[period - 1]
        for day in Meeting.Day.values:
            self.meetings.add(section=section, day=day, period=period, start_time=start,
                              end_time=end)
        return section

