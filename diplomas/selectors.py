"""Reads for the Relevé de notes pages: a student's transcript, courses in progress and
diploma programme, shaped for `diplomas.engine`. The student comes from
students.selectors (who may see whom): these functions never decide access."""

import hashlib
import json
import math
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import cached_property, lru_cache

from django.db import connection
from django.db.models import F, Prefetch
from django.utils import formats
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext

from diplomas import engine
from diplomas.models import (
    Bilingual,
    Category,
    DiplomaRecord,
    Programme,
    StoredProgress,
    split_grade_slots,
    split_patterns,
)
from portail.text import in_reader_language
from students.models import (
    CourseResult,
    Grade,
    SchoolYear,
    SectionEnrolment,
    Student,
    term_label,
)
from students.selectors import current_school_year, school_timetable

GRADE_OF_CODE = {"1": 9, "2": 10, "3": 11, "4": 12}


def code_grade(code: str) -> int | None:
    """The grade a ministry course code is for (its fourth character)."""
    return GRADE_OF_CODE.get(code[3:4])


def transcript(student: Student) -> list[CourseResult]:
    """Every result, from any school of the board or granted on arrival, oldest first."""
    return list(student.results.select_related("course", "school", "school_year")
                .order_by("school_year__start_date", "course__code", "pk"))


def courses_in_progress(student: Student, school_year: SchoolYear | None,
                        results: list[CourseResult]) -> list[SectionEnrolment]:
    """This year's classes that have no result yet. A result of the course this year ends
    its classes, but not one of a term that began after it was completed: the course failed
    in the first semester and taken again in the second is in progress."""
    if school_year is None:
        return []
    done: dict[int, list] = {}
    for r in results:
        if r.school_year_id == school_year.pk:
            done.setdefault(r.course_id, []).append(r.completion_date)

    def ended(enrolment: SectionEnrolment) -> bool:
        start = enrolment.section.term.start_date
        return any(date is None or date >= start
                   for date in done.get(enrolment.section.course_id, ()))

    enrolments = (SectionEnrolment.objects.filter(student=student,
                                                  section__term__school_year=school_year)
                  .select_related("section__course", "section__term__school_year",
                                  "section__school")
                  .order_by("section__term__start_date", "section__course__code"))
    return [e for e in enrolments if not ended(e)]


def programmes() -> list[Programme]:
    categories = Category.objects.prefetch_related("groups").order_by("order", "pk")
    return list(Programme.objects.prefetch_related(
        Prefetch("categories", queryset=categories), "caps__categories"))


def grade_9_year(student: Student, school_year: SchoolYear | None) -> int | None:
    """The year the student entered Grade 9 (from this year and their grade)."""
    if school_year is None:
        return None
    return int(school_year.name[:4]) - (student.grade - 9)


def programme_of(student: Student, record: DiplomaRecord | None, choices: list[Programme],
                 school_year: SchoolYear | None) -> Programme | None:
    """The programme staff assigned, else the default one of the student's cohort."""
    if record is not None and record.programme_id is not None:
        return next((p for p in choices if p.pk == record.programme_id), None)
    cohort = grade_9_year(student, school_year)
    return next((p for p in choices if p.is_default and cohort is not None
                 and p.takes_cohort(cohort)), None)


def engine_programme(programme: Programme) -> engine.Programme:
    return engine.Programme(
        rules=tuple(engine.Rule(key=category, credits=category.credits,
                                patterns=tuple(category.all_patterns()),
                                any_course=category.any_course,
                                grade_slots=tuple(split_grade_slots(category.grade_slots)))
                    for category in programme.categories.all()),
        caps=tuple(engine.Cap(key=cap, credits=cap.credits,
                              patterns=tuple(split_patterns(cap.patterns)),
                              rules=frozenset(cap.categories.all()))
                   for cap in programme.caps.all()),
        community_hours=programme.community_hours,
        literacy_required=programme.literacy_required,
        literacy_courses=tuple(split_patterns(programme.literacy_courses)),
        online_credits=programme.online_credits,
        financial_literacy_required=programme.financial_literacy_required,
    )


def engine_facts(record: DiplomaRecord | None, programme: Programme) -> engine.Facts:
    if record is None:
        return engine.Facts()
    categories = {category.pk: category for category in programme.categories.all()}
    return engine.Facts(
        community_hours=record.community_hours,
        literacy_test_passed=record.literacy_test_passed_on is not None,
        online_opt_out=record.online_opt_out,
        financial_literacy_met=record.financial_literacy_met,
        # A waiver of another programme's category (the programme changed) waives nothing.
        waived={categories[waiver.category_id]: waiver.credits
                for waiver in record.waivers.all() if waiver.category_id in categories},
    )


def engine_lines(results: list[CourseResult],
                 in_progress: list[SectionEnrolment]) -> list[engine.CourseLine]:
    earned = [engine.CourseLine(key=r, code=r.course.code, credit=r.credit_earned,
                                online=r.online)
              for r in results if not r.withdrawn]
    taking = [engine.CourseLine(key=e, code=e.section.course.code,
                                credit=e.section.course.credit_value, in_progress=True)
              for e in in_progress]
    return earned + taking


@dataclass
class StudentRecord:
    """What the two Relevé de notes pages show, read from the tables (what is stored as
    `StoredProgress.data`, see `releve_data`)."""

    school_year: SchoolYear | None
    results: list[CourseResult]
    in_progress: list[SectionEnrolment]
    record: DiplomaRecord | None
    programme: Programme | None

    @cached_property
    def progress(self) -> engine.Progress | None:
        if self.programme is None:
            return None
        return engine.progress(engine_programme(self.programme),
                               engine_lines(self.results, self.in_progress),
                               engine_facts(self.record, self.programme))


def student_record(student: Student, choices: list[Programme] | None = None) -> StudentRecord:
    """A secondary student's transcript and diploma programme, in a fixed number of
    queries whatever the number of results (`choices`: the programmes, if already read)."""
    school_year = current_school_year()
    results = transcript(student)
    in_progress = courses_in_progress(student, school_year, results)
    record = (DiplomaRecord.objects.filter(student=student)
              .prefetch_related("waivers").first())
    if choices is None:
        choices = programmes()
    return StudentRecord(school_year=school_year, results=results,
                         in_progress=in_progress, record=record,
                         programme=programme_of(student, record, choices, school_year))


# --- The pages as stored data (StoredProgress.data) ---------------------------------------

@dataclass(frozen=True)
class Named(Bilingual):
    name_fr: str
    name_en: str


class Titled:
    @property
    def title(self) -> str:
        return in_reader_language(self.title_fr, self.title_en)


@dataclass(frozen=True)
class TranscriptLine(Titled):
    """A line of the Répertoire des crédits complétés."""

    school_year: str
    grade: int | None
    code: str
    title_fr: str
    title_en: str
    mark: int | None
    credit: str
    withdrawn: bool
    kind: str
    school: str
    online: bool

    @property
    def grade_label(self) -> str:
        return Grade(self.grade).label if self.grade else "—"

    @property
    def kind_label(self) -> str:
        return CourseResult.Kind(self.kind).label

    @property
    def credit_text(self) -> str:
        return number(Decimal(self.credit))


@dataclass(frozen=True)
class ClassLine(Titled):
    """One of this year's classes without a result yet."""

    term: str
    term_code: str
    code: str
    title_fr: str
    title_en: str
    credit: str
    school: str

    @property
    def term_label(self) -> str:
        return term_label(self.term_code, self.term)

    @property
    def credit_text(self) -> str:
        return number(Decimal(self.credit))


@dataclass(frozen=True)
class CountedLine(Titled):
    """A course in a requirement's table: where the engine counted it."""

    code: str
    title_fr: str
    title_en: str
    school_year: str
    mark: int | None
    credit: str
    in_progress: bool


def _counted(line: engine.CourseLine) -> dict:
    if line.in_progress:
        section = line.key.section
        course, year, mark = section.course, section.term.school_year.name, None
    else:
        course, year, mark = line.key.course, line.key.school_year.name, line.key.mark
    return asdict(CountedLine(line.code, course.title_fr, course.title_en, year, mark,
                              str(line.credit), line.in_progress))


def _progress_data(progress: engine.Progress) -> dict:
    return {
        "categories": [
            {"name_fr": c.rule.key.name_fr, "name_en": c.rule.key.name_en,
             "any_course": c.rule.any_course, "required": str(c.required),
             "earned": str(c.earned), "in_progress": str(c.in_progress),
             "waived": str(c.waived), "courses": [_counted(x) for x in c.courses],
             "forecast_courses": [_counted(x) for x in c.forecast_courses]}
            for c in progress.categories],
        "requirements": [
            {"name": r.name, "required": str(r.required), "done": str(r.done),
             "in_progress": str(r.in_progress), "opted_out": r.opted_out}
            for r in progress.requirements],
        "excess": [_counted(x) for x in progress.excess],
        "excess_in_progress": [_counted(x) for x in progress.excess_in_progress],
        "moved": str(progress.moved),
    }


# The stored rows' format: raised with any change to the engine's rules or to what
# releve_data stores, so that the rows stored before are computed again.
# 2: grade slots (mathematics) and caps (Groups 1 to 3); 3: the classes' term codes;
# 4: waived compulsory credits are optional credits to earn ("moved").
RELEVE_FORMAT = 4


def releve_data(record: StudentRecord) -> dict:
    """Everything both pages show of the student, as JSON (StoredProgress.data)."""
    programme = record.programme
    return {
        "format": RELEVE_FORMAT,
        "school_year": record.school_year.pk if record.school_year else None,
        "school_year_name": record.school_year.name if record.school_year else "",
        "programme": programme and {"name_fr": programme.name_fr, "name_en": programme.name_en},
        "results": [asdict(TranscriptLine(
            r.school_year.name, code_grade(r.course.code), r.course.code, r.course.title_fr,
            r.course.title_en, r.mark, str(r.credit_earned), r.withdrawn, r.kind,
            r.school.name, r.online)) for r in record.results],
        "in_progress": [asdict(ClassLine(
            term=e.section.term.name, term_code=e.section.term.code,
            code=e.section.course.code, title_fr=e.section.course.title_fr,
            title_en=e.section.course.title_en, credit=str(e.section.course.credit_value),
            school=e.section.school.name)) for e in record.in_progress],
        "progress": record.progress and _progress_data(record.progress),
    }


def _line(row: dict) -> engine.CourseLine:
    line = CountedLine(**row)
    return engine.CourseLine(key=line, code=line.code, credit=Decimal(line.credit),
                             in_progress=line.in_progress)


def _progress(data: dict) -> engine.Progress:
    """The engine's output again, with names and table rows for keys."""
    return engine.Progress(
        categories=[engine.CategoryProgress(
            rule=engine.Rule(key=Named(c["name_fr"], c["name_en"]),
                             credits=Decimal(c["required"]), any_course=c["any_course"]),
            required=Decimal(c["required"]), earned=Decimal(c["earned"]),
            in_progress=Decimal(c["in_progress"]), waived=Decimal(c["waived"]),
            courses=[_line(x) for x in c["courses"]],
            forecast_courses=[_line(x) for x in c["forecast_courses"]])
            for c in data["categories"]],
        requirements=[engine.Requirement(
            r["name"], Decimal(r["required"]), Decimal(r["done"]),
            in_progress=Decimal(r["in_progress"]), opted_out=r["opted_out"])
            for r in data["requirements"]],
        excess=[_line(x) for x in data["excess"]],
        excess_in_progress=[_line(x) for x in data["excess_in_progress"]],
        moved=Decimal(data["moved"]))


class Releve:
    """The pages' content from StoredProgress.data: what the templates read."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self.school_year_name = data["school_year_name"]
        self.programme = data["programme"] and Named(**data["programme"])
        self.results = [TranscriptLine(**row) for row in data["results"]]
        self.in_progress = [ClassLine(**row) for row in data["in_progress"]]

    @cached_property
    def progress(self) -> engine.Progress | None:
        return self.data["progress"] and _progress(self.data["progress"])

    @property
    def credits_earned(self) -> Decimal:
        """Each course's credit once, as the engine counts it: a course passed again (to
        raise the mark) earns no second credit."""
        best: dict[str, Decimal] = {}
        for result in self.results:
            code = engine.ministry_code(result.code)
            best[code] = max(best.get(code, Decimal(0)), Decimal(result.credit))
        return sum(best.values(), Decimal(0))

    @cached_property
    def digest(self) -> str:
        """What the pages' cached fragments are keyed on: new content, new key."""
        return hashlib.sha256(json.dumps(self.data, sort_keys=True).encode()).hexdigest()


# Only PostgreSQL has the triggers that mark stored rows outdated (diplomas migration 0005).
def stored_rows_trusted() -> bool:
    return connection.vendor == "postgresql"


def stored_releve(student: Student) -> Releve | None:
    """The student's stored pages, or None if missing, outdated, of another format or of
    another school year (the caller computes and stores them then)."""
    if not stored_rows_trusted():
        return None
    row = (StoredProgress.objects.filter(student=student, computed_version=F("version"),
                                         data__format=RELEVE_FORMAT)
           .values_list("data", flat=True).first())
    if row is None:
        return None
    # The year under way as the timetable pages cache it (per school and day, retired by
    # any change to the years): a query less on each visit.
    school_year = school_timetable(student).school_year
    if row["school_year"] != (school_year.pk if school_year else None):
        return None
    return Releve(row)


REQUIREMENT_TITLES = {
    "community_hours": gettext_lazy("Community involvement"),
    "literacy": gettext_lazy("Literacy requirement"),
    "online_credits": gettext_lazy("Online learning credits"),
    "financial_literacy": gettext_lazy("Financial literacy"),
}


def requirement_status(requirement: engine.Requirement) -> str:
    """Where a requirement other than credits stands, in words."""
    if requirement.opted_out:
        return gettext("Opted out (recorded by the school)")
    if requirement.name == "community_hours":
        return gettext("%(done)s of %(required)s hours") % {
            "done": number(requirement.done), "required": number(requirement.required)}
    if requirement.name == "online_credits":
        # French agrees with what is done (« 0,5 crédit sur 1 »), English with the total.
        status = ngettext("%(done)s of %(required)s credits", "%(done)s of %(required)s credits",
                          plural_of(requirement.done)) % {
            "done": number(requirement.done), "required": number(requirement.required)}
        if requirement.in_progress and not requirement.met:
            status += ", " + gettext("%(count)s in progress") % {
                "count": number(requirement.in_progress)}
        return status
    if requirement.met:
        return gettext("Met")
    if requirement.in_progress:
        return gettext("In progress")
    return gettext("Not met yet")


REQUIREMENT_NAMES = {
    "community_hours": lambda n: ngettext(
        "%(count)s hour of community involvement", "%(count)s hours of community involvement",
        plural_of(n)) % {"count": number(n)},
    "literacy": lambda n: gettext("the literacy requirement (the OSSLT or a literacy "
                                  "course)"),
    "online_credits": lambda n: ngettext(
        "%(count)s online learning credit", "%(count)s online learning credits", plural_of(n))
    % {"count": number(n)},
    "financial_literacy": lambda n: gettext("the financial literacy component of Grade 10 "
                                            "mathematics"),
}


def plural_of(value: Decimal) -> int:
    """The whole number that chooses the plural form (gettext takes integers), by the
    reader's language's rule for a half: French is singular below 2 (« 1,5 crédit »),
    English only for exactly 1 ("0.5 credits")."""
    if value == int(value):
        return int(value)
    return math.floor(value) if get_language() == "fr" else 2


def number(value: Decimal) -> str:
    """1, 0,5, 12: whole numbers without decimals, halves in the reader's language."""
    return _number(value, get_language())


@lru_cache(maxsize=512)
def _number(value: Decimal, language: str) -> str:
    # A requirements page writes some 150 numbers, nearly all among a few values.
    return formats.number_format(value, 0 if value == value.to_integral() else 1)


def still_missing(progress: engine.Progress, *, if_passed: bool = False) -> list[str]:
    """What is left to graduate, in words: "1 credit in English", "12 hours of…"."""
    missing = []
    for category in progress.categories:
        left = category.remaining_if_passed if if_passed else category.remaining
        if not left:
            continue
        if category.rule.any_course:
            missing.append(ngettext("%(count)s optional credit", "%(count)s optional credits",
                                    plural_of(left)) % {"count": number(left)})
        else:
            missing.append(ngettext("%(count)s credit in %(category)s",
                                    "%(count)s credits in %(category)s", plural_of(left))
                           % {"count": number(left), "category": category.rule.key.name})
    for requirement in progress.requirements:
        left = requirement.remaining_if_passed if if_passed else requirement.remaining
        if left:
            missing.append(REQUIREMENT_NAMES[requirement.name](left))
    return missing


def students_to_store(after: int, limit: int) -> list[Student]:
    """Secondary students without a fresh stored row, from the primary key `after` on
    (diplomas.services.store_outdated)."""
    fresh = StoredProgress.objects.filter(computed_version=F("version"),
                                          data__format=RELEVE_FORMAT)
    return list(Student.objects.filter(grade__gte=Grade.GRADE_9, pk__gt=after)
                .exclude(pk__in=fresh.values("student")).order_by("pk")[:limit])
