"""Who may see which student: the one place that answers it for every parent page and file."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time
from functools import lru_cache
from uuid import UUID

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portail.compiled import CompiledQuery
from portail.formats import time_range
from portail.text import in_reader_language
from students import timetable_cache
from students.models import (
    AttendanceCode,
    AttendanceRecord,
    CalendarFeed,
    Enrolment,
    Meeting,
    ParentForm,
    ParentFormResponse,
    SchoolYear,
    Section,
    SectionEnrolment,
    Student,
    StudentGuardian,
    Term,
    TimetablePublication,
)

ADULT_AGE = 18


def adult_birthdate_cutoff(today: date) -> date:
    """Students born on or before this day are adults (18 or more) on `today`."""
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # Today is 29 February and that year was not a leap year.
        return today.replace(year=today.year - ADULT_AGE, day=28)


@dataclass(frozen=True)
class AccessRule:
    """One condition a guardian link must meet to show its student on the portal, said
    both ways from the same fields: as a query condition and on loaded rows."""

    off_reason: Callable[[StudentGuardian], str]  # in words, when the link fails it
    holds: Callable[[StudentGuardian, Student, date], bool]
    condition: Callable[[date, str, str], Q]  # (today, link prefix, student prefix)


PORTAL_ACCESS_RULE = AccessRule(
    off_reason=lambda link: _("Portal access turned off: %(reason)s")
    % {"reason": link.portal_access_off_reason},
    holds=lambda link, student, today: link.portal_access,
    condition=lambda today, link, student: Q(**{f"{link}portal_access": True}),
)
CUSTODY_RULE = AccessRule(
    off_reason=lambda link: _("No custody and no access rights"),
    holds=lambda link, student, today: link.has_custody or link.has_access_rights,
    condition=lambda today, link, student: (Q(**{f"{link}has_custody": True})
                                            | Q(**{f"{link}has_access_rights": True})),
)
# At 18 a student controls their record: a guardian needs the student's consent.
ADULT_CONSENT_RULE = AccessRule(
    off_reason=lambda link: _("Adult student: no consent recorded"),
    holds=lambda link, student, today: (student.date_of_birth > adult_birthdate_cutoff(today)
                                        or link.adult_consent_date is not None),
    condition=lambda today, link, student: (
        Q(**{f"{student}date_of_birth__gt": adult_birthdate_cutoff(today)})
        | Q(**{f"{link}adult_consent_date__isnull": False})),
)
NOT_WITHDRAWN_RULE = AccessRule(
    off_reason=lambda link: _("Student withdrawn"),
    holds=lambda link, student, today: student.status != Student.Status.WITHDRAWN,
    condition=lambda today, link, student: ~Q(**{f"{student}status":
                                                 Student.Status.WITHDRAWN}),
)
ACCESS_RULES = (PORTAL_ACCESS_RULE, CUSTODY_RULE, ADULT_CONSENT_RULE, NOT_WITHDRAWN_RULE)
# Reporting an absence takes more than seeing the record: custody, or the school's leave
# on the link (a non-custodial parent with access rights sees the attendance, no form).
REPORT_RULE = AccessRule(
    off_reason=lambda link: _("No custody and no right to report absences"),
    holds=lambda link, student, today: link.has_custody or link.may_report_absences,
    condition=lambda today, link, student: (Q(**{f"{link}has_custody": True})
                                            | Q(**{f"{link}may_report_absences": True})),
)
REPORTING_RULES = (*ACCESS_RULES, REPORT_RULE)


def visible_link_condition(today: date, *, link: str = "", student: str = "student__",
                           rules: tuple[AccessRule, ...] = ACCESS_RULES) -> Q:
    """The guardian links that show their student today, as a query condition (with
    rules=REPORTING_RULES: the links that may report its absences).

    The defaults fit a StudentGuardian query; from Student: link="guardian_links__",
    student="" (then use it in one filter() call, so that every part holds for one link).
    """
    condition = Q()
    for rule in rules:
        condition &= rule.condition(today, link, student)
    return condition


def adult_without_consent_condition(today: date) -> Q:
    """StudentGuardian links to an adult student with no consent recorded."""
    return ~ADULT_CONSENT_RULE.condition(today, "", "student__")


def link_access_off(link: StudentGuardian, today: date) -> list[str]:
    """Why this link does not show its student today, in words (empty: it does)."""
    return [rule.off_reason(link) for rule in ACCESS_RULES
            if not rule.holds(link, link.student, today)]


# The students a user may see: the access rule, for one user's id (portail.compiled: for
# visible_children, the ORM compiles its SQL once per process and day, not per request).
VISIBLE_STUDENTS = CompiledQuery(
    lambda user_id, today, rules: Student.objects.filter(
        visible_link_condition(today, link="guardian_links__", student="", rules=rules),
        guardian_links__guardian__user=user_id,
    ),
    related=("school",),
)


def students_visible_to(user, *, today: date | None = None,
                        rules: tuple[AccessRule, ...] = ACCESS_RULES) -> QuerySet[Student]:
    """The students this user may see today, through one of their guardian links (with
    rules=REPORTING_RULES: those whose absences they may report).

    Access needs a link meeting every rule's condition. (They sit in one filter()
    with the user so that they hold for the same link; a user has one guardian record
    and a pair one link, so no student comes twice.)
    """
    if not user.is_authenticated:
        return Student.objects.none()
    return VISIBLE_STUDENTS.queryset(user.pk, today or timezone.localdate(), rules)


def visible_children(user, *, today: date | None = None,
                     rules: tuple[AccessRule, ...] = ACCESS_RULES) -> list[Student]:
    """list(students_visible_to(user, rules=rules)), its rows read now, with their school;
    what every parent page runs, without the ORM building and compiling the query each
    time."""
    if not user.is_authenticated:
        return []
    return VISIBLE_STUDENTS.rows(user.pk, today or timezone.localdate(), rules)


def students_reportable_by(user, *, today: date | None = None) -> QuerySet[Student]:
    """The students whose absences this user may report today (REPORTING_RULES)."""
    return students_visible_to(user, today=today, rules=REPORTING_RULES)


def visible_links(student_ids, *, today: date | None = None,
                  rules: tuple[AccessRule, ...] = ACCESS_RULES) -> QuerySet[StudentGuardian]:
    """The links of these students whose guardian's active account sees them today: each
    pair of students_visible_to, for many parents in one query (with rules=REPORTING_RULES:
    the links that may report their absences)."""
    today = today or timezone.localdate()
    return StudentGuardian.objects.filter(
        visible_link_condition(today, rules=rules), student__in=student_ids,
        guardian__user__is_active=True,
    )


def reporting_links(student_ids, *, today: date | None = None) -> QuerySet[StudentGuardian]:
    """The links of these students whose guardian's account may report for them today."""
    return visible_links(student_ids, today=today, rules=REPORTING_RULES)


def account_children(user, *, today: date | None = None,
                     pending: bool = False) -> list[StudentGuardian]:
    """The children linked to an account's guardian record, each with `access_off`: why
    the account does not see that child today (empty: it does). For the help desk.

    pending=True: those of the guardian record whose access code the account claimed at
    sign-up, which become its children once its email is validated.
    """
    today = today or timezone.localdate()
    account = (Q(guardian__user__isnull=True, guardian__access_codes__claimed_by=user,
                 guardian__access_codes__used_at__isnull=True) if pending
               else Q(guardian__user=user))
    links = list(StudentGuardian.objects.filter(account)
                 .select_related("student__school")
                 .order_by("student__legal_last_name", "student__legal_first_name"))
    for link in links:
        link.access_off = link_access_off(link, today)
    return links


def student_for_parent(user, public_id: UUID | str) -> Student:
    """The student behind a URL, or 404 when this user may not see it (never 403)."""
    return student_among_children(user, public_id)[0]


def student_among_children(user, public_id: UUID | str) -> tuple[Student, list[Student]]:
    """The student behind a URL and all the children this user may see, from one query
    (a page needs both: the student, and the others for the child switcher); else 404."""
    try:
        wanted = public_id if isinstance(public_id, UUID) else UUID(str(public_id))
    except ValueError as not_an_id:
        raise Http404 from not_an_id
    children = visible_children(user)
    student = next((child for child in children if child.public_id == wanted), None)
    if student is None:
        raise Http404
    return student, children


def current_school_year(*, today: date | None = None) -> SchoolYear | None:
    """The year under way, or the most recent one that has started (summer holidays)."""
    today = today or timezone.localdate()
    return (
        SchoolYear.objects.filter(start_date__lte=today).order_by("-start_date").first()
        or SchoolYear.objects.order_by("start_date").first()
    )


def contacts_visible_to(user, student: Student) -> list[StudentGuardian]:
    """The student's guardians this parent may see: never one whose portal access is off."""
    return list(
        student.guardian_links.filter(portal_access=True)
        .select_related("guardian")
        .order_by("contact_order", "guardian__last_name")
    )


def attendance_records(student: Student, *, start: date, end: date) -> QuerySet[AttendanceRecord]:
    return (
        student.attendance.filter(date__gte=start, date__lte=end)
        .select_related("code")
        .order_by("-date", "period")
    )


def attendance_counts(records: Iterable[AttendanceRecord]) -> dict[str, int]:
    """Days absent, classes missed and times late: the figures a report card shows, in
    records loaded with their code."""
    counts = {"days_absent": 0, "classes_missed": 0, "times_late": 0}
    for record in records:
        if record.code.kind == AttendanceCode.Kind.ABSENT:
            counts["days_absent" if record.period is None else "classes_missed"] += 1
        elif record.code.kind == AttendanceCode.Kind.LATE:
            counts["times_late"] += 1
    return counts


def attendance_totals(student: Student, *, start: date, end: date) -> dict[str, int]:
    return attendance_counts(attendance_records(student, start=start, end=end))


# A child's records in a range, for Assiduité: compiled once per process and range (the
# school year's, nearly always), the rows read on every visit.
_ATTENDANCE = CompiledQuery(
    lambda student_id, start, end: AttendanceRecord.objects.filter(
        student=student_id, date__gte=start, date__lte=end).order_by("-date", "period"),
    related=("code",))


def attendance_with_totals(student: Student, school_year: SchoolYear, *, start: date,
                           end: date) -> tuple[list[AttendanceRecord], dict[str, int]]:
    """Assiduité: the records from start to end, and the school year's totals, from one
    query (a month shown may end after the school year)."""
    first, last = school_year.start_date, school_year.end_date
    loaded = _ATTENDANCE.rows(student.pk, min(start, first), max(end, last))
    return ([record for record in loaded if start <= record.date <= end],
            attendance_counts(record for record in loaded if first <= record.date <= last))


@dataclass(frozen=True)
class SchoolTimetable:
    """The school year under way at a student's school, as the timetable pages (and
    Assiduité's periods) need it."""

    school_year: SchoolYear | None  # current_school_year's
    terms: list[Term]
    published_on: date | None  # the day parents first see it (None: not announced)
    # The cache version it was read under, part of the week grid's key; None: the cache had
    # none (empty, or unreachable), so nothing of this page is cached.
    version: str | None

    def is_published(self, today: date) -> bool:
        return self.published_on is not None and self.published_on <= today


def school_timetable(student: Student, *, today: date | None = None) -> SchoolTimetable:
    """The year under way, its terms at the student's school and the day its timetable is
    published; cached per school and day (students.timetable_cache)."""
    today = today or timezone.localdate()

    def year_and_terms() -> tuple[SchoolYear | None, list[Term]]:
        year = current_school_year(today=today)
        published_on = TimetablePublication.objects.filter(
            school=OuterRef("school"), school_year=OuterRef("school_year")
        ).values("published_on")[:1]
        return year, list(Term.objects.filter(school=student.school_id, school_year=year)
                          .annotate(published_on=Subquery(published_on))
                          .order_by("start_date"))

    (year, terms), version = timetable_cache.read_through(
        timetable_cache.year_key(student.school_id, today), year_and_terms)
    return SchoolTimetable(school_year=year, terms=terms,
                           published_on=terms[0].published_on if terms else None,
                           version=version)


def _meetings_of(student: Student, term: Term) -> QuerySet[Meeting]:
    return Meeting.objects.filter(section__term=term, section__enrolments__student=student)


def sections_between(student: Student, *, start: date, end: date) -> list[Section]:
    """The student's sections whose term overlaps the dates, earliest term first, each with
    its term and meetings."""
    return list(Section.objects.filter(enrolments__student=student, term__start_date__lte=end,
                                       term__end_date__gte=start)
                .select_related("term").prefetch_related("meetings")
                .order_by("term__start_date", "pk"))


def timetable_meetings(student: Student, term: Term) -> list[Meeting]:
    """The week's class meetings of the student's sections in that term."""
    return list(
        _meetings_of(student, term).select_related("section__course")
        .order_by("day", "start_time")
    )


@dataclass(frozen=True)
class TimetableClass:
    """One class in a cell of the week's grid, as the page shows it."""

    code: str
    title: str  # in the reader's language
    times: str  # "" when they are the period's
    teacher: str
    room: str


@dataclass
class TimetableRow:
    """One period of the week's grid: its times (from its first class) and, for each
    weekday from Monday, the classes in that period."""

    period: int
    times: str
    days: list[list[TimetableClass]] = field(default_factory=lambda: [[] for _day in Meeting.Day])


# The meetings of a term's sections, as the grid shows them: staff data, the same for every
# child of the school, kept per process under the timetables' cache version (a staff save
# retires it). Which sections a child takes is read on every visit.
_MeetingRow = tuple[int, int, time, time, str, str, str, str, str, str]


def _term_meetings(term_id: int, _version: str | None) -> dict[int, list[_MeetingRow]]:
    """Section id → its meetings (period, day, start, end, room, the section's room,
    teacher, course code, French and English titles)."""
    sections: dict[int, list[_MeetingRow]] = {}
    for section_id, *meeting in Meeting.objects.filter(section__term=term_id).values_list(
            "section_id", "period", "day", "start_time", "end_time", "room", "section__room",
            "section__teacher_name", "section__course__code", "section__course__title_fr",
            "section__course__title_en"):
        sections.setdefault(section_id, []).append(tuple(meeting))
    return sections


_term_meetings_kept = lru_cache(maxsize=256)(_term_meetings)

STUDENT_SECTIONS = CompiledQuery(
    lambda student_id: SectionEnrolment.objects.filter(student=student_id))


def timetable_week(student: Student, term: Term, version: str | None) -> list[TimetableRow]:
    """The student's meetings in that term as the week's grid, by period, with the values
    it shows (shaped here: a template would loop over every meeting for every cell, and
    look up each value through three models). `version`: the timetables' cache version
    (None: nothing is kept)."""
    meetings_of = (_term_meetings_kept if version else _term_meetings)(term.pk, version)
    meetings = sorted(meeting for enrolment in STUDENT_SECTIONS.rows(student.pk)
                      for meeting in meetings_of.get(enrolment.section_id, ()))
    rows: dict[int, TimetableRow] = {}
    for (period, day, start, end, room, section_room, teacher, code, title_fr,
         title_en) in meetings:
        times = time_range(start, end)
        if (row := rows.get(period)) is None:
            row = rows[period] = TimetableRow(period, times)
        row.days[day - 1].append(TimetableClass(
            code=code, title=in_reader_language(title_fr, title_en),
            times="" if times == row.times else times, teacher=teacher,
            room=room or section_room))
    return list(rows.values())


def enrolment_history(student: Student) -> QuerySet[Enrolment]:
    return student.enrolments.select_related("school").order_by("-entry_date")


def parent_forms_for(student: Student, school_year: SchoolYear) -> list[ParentForm]:
    """Open forms for this child (board-wide or their school; all grades or theirs),
    each with `.response`: this child's answer, or None."""
    forms = list(
        ParentForm.objects.filter(
            Q(school__isnull=True) | Q(school=student.school),
            Q(grade__isnull=True) | Q(grade=student.grade),
            school_year=school_year, is_open=True,
        ).prefetch_related(
            Prefetch("responses", queryset=ParentFormResponse.objects.filter(student=student)
                     .select_related("answered_by"), to_attr="child_responses")
        ).order_by("title_fr")
    )
    for form in forms:
        form.response = form.child_responses[0] if form.child_responses else None
    return forms


def calendar_feed_of(user, student: Student) -> CalendarFeed | None:
    """This parent's private calendar link for this child, if they made one."""
    return student.calendar_feeds.filter(user=user).first()


def calendar_feed_student(token: str) -> Student:
    """The student behind a calendar link, if its owner may still see them; else 404."""
    feed = CalendarFeed.objects.select_related("user", "student").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    return student_for_parent(feed.user, feed.student.public_id)
