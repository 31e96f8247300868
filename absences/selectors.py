"""Reads of absence reporting. Who may report is students.selectors' REPORTING_RULES."""

from collections import defaultdict
from datetime import date, datetime, time
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from absences.models import AbsenceReport, DayOff, Reason, SafeArrivalCheck, SchoolDay
from portail.compiled import CompiledQuery
from students.models import (
    AttendanceCode,
    AttendanceRecord,
    Level,
    Meeting,
    School,
    SchoolYear,
    SectionEnrolment,
    Student,
    StudentGuardian,
)
from students.selectors import (
    REPORTING_RULES,
    reporting_links,
    students_reportable_by,
    visible_link_condition,
)


def school_day_of(school: School) -> SchoolDay:
    """The school's times; the defaults (unsaved) when it set none."""
    try:
        return school.school_day
    except SchoolDay.DoesNotExist:
        return SchoolDay(school=school)


def school_days_of(schools: list[School]) -> dict[int, SchoolDay]:
    """Several schools' times in one query."""
    stored = {row.school_id: row for row in SchoolDay.objects.filter(school__in=schools)}
    return {school.pk: stored.get(school.pk) or SchoolDay(school=school) for school in schools}


def days_off(school_ids, start: date, end: date) -> set[tuple[int | None, date]]:
    """(school or None for the board, date) of the days without school in the range."""
    return set(DayOff.objects.filter(Q(school__isnull=True) | Q(school__in=school_ids),
                                     date__gte=start, date__lte=end)
               .values_list("school_id", "date"))


def dates_off(school_id: int, start: date, end: date) -> set[date]:
    """One school's days without school in the range, its own and the board's."""
    return {day for _school, day in days_off([school_id], start, end)}


def school_year_end(day: date) -> date | None:
    """The last day of the school year that `day` is in; None outside every school year
    (summer, or a year the board has not set up)."""
    return (SchoolYear.objects.filter(start_date__lte=day, end_date__gte=day)
            .values_list("end_date", flat=True).first())


def is_school_day(school_id: int, day: date, off: set[tuple[int | None, date]]) -> bool:
    return day.weekday() < 5 and (None, day) not in off and (school_id, day) not in off


def _reportable(user) -> QuerySet[Student]:
    # With their school's times (school_day_of then reads no more).
    return students_reportable_by(user).select_related("school__school_day")


def reportable_children(user) -> list[Student]:
    return list(_reportable(user).order_by("legal_first_name"))


def student_reportable(user, public_id: UUID | str) -> Student:
    """The child behind a URL if this user may report for them; else 404 (never 403)."""
    try:
        return _reportable(user).get(public_id=public_id)
    except (Student.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing


def report_of(student: Student, report_id: UUID | str) -> AbsenceReport:
    """A report of this child (whoever of the guardians made it), cancelled ones too (the
    caller tells the parent it already is); else 404. The caller has resolved the child
    through student_reportable."""
    try:
        return student.absence_reports.select_related("reason").get(public_id=report_id)
    except (AbsenceReport.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing


def report_starts_at(report: AbsenceReport, school_day: SchoolDay) -> datetime:
    return datetime.combine(report.start_date, school_day.starts_at,
                            timezone.get_current_timezone())


def may_change(report: AbsenceReport, school_day: SchoolDay, *,
               now: datetime | None = None) -> bool:
    """A report is the parent's to change or cancel until it starts, and until recorded."""
    now = now or timezone.now()
    return (report.cancelled_at is None and report.recorded_at is None
            and now < report_starts_at(report, school_day))


def periods_from(student: Student, day: date, departure: time) -> set[int]:
    """The periods of the child's timetable that day starting at or after the departure
    (none where the school keeps no timetable)."""
    return set(Meeting.objects.filter(
        section__enrolments__student=student, section__term__start_date__lte=day,
        section__term__end_date__gte=day, day=day.isoweekday(), start_time__gte=departure)
        .values_list("period", flat=True))


def timetable_periods(students: list[Student], day: date) -> dict[int, set[int]]:
    """Each child → the periods of their timetable in the school year of `day`, as its
    grid shows them (a secondary day's 1 to 4, a kindergarten's 1, 3 and 5); a child whose
    school keeps no timetable in the portal is left out."""
    periods: dict[int, set[int]] = defaultdict(set)
    for student_id, period in (SectionEnrolment.objects.filter(
            student__in=students, section__term__school_year__start_date__lte=day,
            section__term__school_year__end_date__gte=day, section__meetings__isnull=False)
            .values_list("student_id", "section__meetings__period").distinct()):
        periods[student_id].add(period)
    return dict(periods)


# A child's reports overlapping a range, newest first: compiled once per process and range
# (the school year's, nearly always), the rows read on every visit.
_REPORTS = CompiledQuery(
    lambda student_id, start, end: AbsenceReport.objects.active().filter(
        student=student_id, start_date__lte=end, end_date__gte=start)
    .order_by("-start_date", "-created_at"),
    related=("reason",))


def reports_of_child(student: Student, school_year: SchoolYear, *, start: date,
                     end: date) -> list[AbsenceReport]:
    """The child's reports overlapping the range, newest first (the Assiduité page)."""
    reports = _REPORTS.rows(student.pk, min(start, school_year.start_date),
                            max(end, school_year.end_date))
    return [report for report in reports if report.start_date <= end and report.end_date >= start]


def reports_today(queryset: QuerySet[AbsenceReport], today: date) -> QuerySet[AbsenceReport]:
    """The school's list: the reports about today, newest first."""
    return queryset.filter(start_date__lte=today, end_date__gte=today)


def unexplained_absences(school_ids: list[int], today: date) -> QuerySet[Student]:
    """Elementary children of these schools with an absence recorded today (a period or
    the day) and no report or safe-arrival check for today."""
    absent = AttendanceRecord.objects.filter(date=today, code__kind=AttendanceCode.Kind.ABSENT)
    reported = AbsenceReport.objects.covering(today)
    checked = SafeArrivalCheck.objects.filter(date=today)
    return (Student.objects.filter(school__in=school_ids, school__level=Level.ELEMENTARY,
                                   pk__in=absent.values("student_id"))
            .exclude(pk__in=reported.values("student_id"))
            .exclude(pk__in=checked.values("student_id")))


def schools_due_for_safe_arrival(now: datetime) -> list[int]:
    """Elementary schools whose safe-arrival time has come today, on a school day."""
    local = timezone.localtime(now)
    schools = list(School.objects.filter(level=Level.ELEMENTARY)
                   .select_related("school_day"))
    off = days_off([school.pk for school in schools], local.date(), local.date())
    return [school.pk for school in schools
            if is_school_day(school.pk, local.date(), off)
            and school_day_of(school).safe_arrival_at <= local.time()
            and local.time() < school_day_of(school).ends_at]


def guardian_users_for(student_ids: list[int], today: date) -> dict[int, list]:
    """Each student → the accounts (with an email) of the guardians who may report."""
    result: dict[int, list] = {}
    for link in reporting_links(student_ids, today=today).select_related("guardian__user"):
        user = link.guardian.user
        if user.email:
            result.setdefault(link.student_id, []).append(user)
    return result


def reasons_in_reader_language(texts: set[str]) -> dict[str, str]:
    """The board's reasons among the records' reasons (a record made from a report keeps the
    reason's French label, services.reports_record), each in the reader's language; what
    the school typed stays as typed. No query on a French page."""
    texts = {text for text in texts if text}
    if not texts or get_language() == "fr":
        return {}
    return {reason.label_fr: reason.label
            for reason in Reason.objects.filter(label_fr__in=texts)}


def safe_arrival_contacts(today: date) -> QuerySet[StudentGuardian]:
    """Whom a school calls for a child absent without a report, in its call order: the
    guardians who may report the child's absences (those the check emails) and the
    emergency contacts; never a link whose portal access the school turned off (a court
    order)."""
    return (StudentGuardian.objects
            .filter(visible_link_condition(today, rules=REPORTING_RULES)
                    | Q(emergency_contact=True, portal_access=True))
            .select_related("guardian").order_by("contact_order", "guardian__last_name"))
