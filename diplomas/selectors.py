"""Reads for the Relevé de notes pages: a student's transcript, courses in progress and
diploma programme, shaped for `diplomas.engine`. The student comes from
students.selectors (who may see whom): these functions never decide access."""

import hashlib
import math
import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.core.cache import cache
from django.db.models import Prefetch
from django.utils import formats
from django.utils.translation import gettext, gettext_lazy, ngettext

from diplomas import engine
from diplomas.models import Category, DiplomaRecord, Programme, split_patterns
from students.models import CourseResult, Grade, SchoolYear, SectionEnrolment, Student
from students.selectors import current_school_year

GRADE_OF_CODE = {"1": 9, "2": 10, "3": 11, "4": 12}


def code_grade(code: str) -> int | None:
    """The grade a ministry course code is for (its fourth character)."""
    return GRADE_OF_CODE.get(code[3:4])


def transcript(student: Student) -> list[CourseResult]:
    """Every result, from any school of the board or granted on arrival, oldest first."""
    results = list(student.results.select_related("course", "school", "school_year")
                   .order_by("school_year__start_date", "course__code", "pk"))
    for result in results:
        grade = code_grade(result.course.code)
        result.grade_label = Grade(grade).label if grade else "—"
    return results


def courses_in_progress(student: Student, school_year: SchoolYear | None,
                        results: list[CourseResult]) -> list[SectionEnrolment]:
    """This year's classes that have no result yet."""
    if school_year is None:
        return []
    done = {r.course_id for r in results if r.school_year_id == school_year.pk}
    enrolments = (SectionEnrolment.objects.filter(student=student,
                                                  section__term__school_year=school_year)
                  .select_related("section__course", "section__term__school_year",
                                  "section__school")
                  .order_by("section__term__start_date", "section__course__code"))
    return [e for e in enrolments if e.section.course_id not in done]


def programmes() -> list[Programme]:
    categories = Category.objects.prefetch_related("groups").order_by("order", "pk")
    return list(Programme.objects.prefetch_related(
        Prefetch("categories", queryset=categories)))


PROGRAMMES_KEY = "diplomas:programmes:version"
PROGRAMMES_SECONDS = 15 * 60
_loaded: dict[str, list[Programme]] = {}  # this process's copy, under its version


def programme_catalogue() -> tuple[str, list[Programme]]:
    """The programmes, with the version they were read under. Every Relevé page reads
    them and the board changes them a few times a year: each process keeps one copy, for
    as long as the shared cache keeps its version; diplomas.signals deletes the version
    once a write commits (the timeout bounds what a queryset.update leaves)."""
    version = cache.get(PROGRAMMES_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.set(PROGRAMMES_KEY, version, PROGRAMMES_SECONDS)
    if version not in _loaded:
        _loaded.clear()
        _loaded[version] = programmes()
    return version, _loaded[version]


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
                                any_course=category.any_course)
                    for category in programme.categories.all()),
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
    """Everything the two Relevé de notes pages show. The progress is worked out when
    first read: a page whose fragment is cached under `fingerprint` never needs it."""

    student: Student
    school_year: SchoolYear | None
    results: list[CourseResult]
    in_progress: list[SectionEnrolment]
    record: DiplomaRecord | None
    programme: Programme | None
    catalogue: str  # the version of the programmes read (programme_catalogue)

    @property
    def credits_earned(self) -> Decimal:
        return sum((r.credit_earned for r in self.results), Decimal(0))

    @cached_property
    def progress(self) -> engine.Progress | None:
        if self.programme is None:
            return None
        return engine.progress(engine_programme(self.programme),
                               engine_lines(self.results, self.in_progress),
                               engine_facts(self.record, self.programme))

    @cached_property
    def fingerprint(self) -> str:
        """Everything these pages show of the student, digested: what their cached
        fragments are keyed on, so that a change anywhere is a new key (nothing to retire)."""
        record = self.record
        shown = (
            str(self.student.public_id), self.catalogue,
            self.programme.pk if self.programme else None,
            self.school_year.name if self.school_year else None,
            [(r.pk, r.kind, r.course.code, r.course.title_fr, r.course.title_en,
              r.school.name, r.school_year.name, r.mark, str(r.credit_earned), r.withdrawn,
              r.online) for r in self.results],
            [(e.pk, e.section.course.code, e.section.course.title_fr,
              e.section.course.title_en, str(e.section.course.credit_value),
              e.section.term.name, e.section.term.school_year.name, e.section.school.name)
             for e in self.in_progress],
            record and (record.pk, str(record.community_hours),
                        str(record.literacy_test_passed_on), record.online_opt_out,
                        record.financial_literacy_met,
                        sorted((w.category_id, str(w.credits)) for w in record.waivers.all())),
        )
        return hashlib.sha256(repr(shown).encode()).hexdigest()


def student_record(student: Student) -> StudentRecord:
    """A secondary student's transcript and diploma programme, in a fixed number of
    queries whatever the number of results."""
    school_year = current_school_year()
    results = transcript(student)
    in_progress = courses_in_progress(student, school_year, results)
    record = (DiplomaRecord.objects.filter(student=student)
              .prefetch_related("waivers").first())
    catalogue, choices = programme_catalogue()
    return StudentRecord(student=student, school_year=school_year, results=results,
                         in_progress=in_progress, record=record,
                         programme=programme_of(student, record, choices, school_year),
                         catalogue=catalogue)


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
        status = gettext("%(done)s of %(required)s credits") % {
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
    """The whole number that chooses the plural (gettext takes integers): 0.5 → 1."""
    return math.ceil(value)


def number(value: Decimal) -> str:
    """1, 0,5, 12: whole numbers without decimals, halves in the reader's language."""
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
