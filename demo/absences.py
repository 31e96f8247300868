"""Demo absence reporting, made by `seed_demo` with the demo board: the board's days
without school, past reports of the demo family (recorded by the school, a late arrival
with the time the school saw the child arrive), and at the
family's elementary school the reports of the day (one made after the cut-off) and one
absence nobody explained, which the safe-arrival task emails about at 9:30.

"The day" is today, or the next school day on a weekend or a day off. Running it again
changes nothing (the past report is there).
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from absences.models import AbsenceReport, DayOff, Reason
from absences.services import ReportDetails, reports_create, reports_record
from demo import tables as t
from students.models import AttendanceCode, AttendanceRecord, Level, Student, StudentGuardian


def _days_off() -> set[date]:
    days = set()
    for kind, first, last, label in t.DAYS_OFF:
        day = first
        while day <= last:
            if day.weekday() < 5:
                DayOff.objects.get_or_create(date=day, school=None,
                                             defaults={"kind": kind, "label": label})
                days.add(day)
            day += timedelta(days=1)
    return days


def _school_day(day: date, off: set[date]) -> date:
    while day.weekday() >= 5 or day in off:
        day += timedelta(days=1)
    return day


def _at(day: date, moment) -> datetime:
    return datetime.combine(day, moment, timezone.get_default_timezone())


@transaction.atomic
def seed_absences(*, parent, schools, today: date | None = None) -> None:
    children = list(Student.objects.filter(guardian_links__guardian__user=parent,
                                           school__level=Level.ELEMENTARY).order_by("niso"))
    if not children or AbsenceReport.objects.filter(student__in=children).exists():
        return
    off = _days_off()
    reasons = {reason.code: reason for reason in Reason.objects.all()}  # the migration's
    child = children[0]
    [past] = reports_create(user=parent, students=[child], details=ReportDetails(
        kind="days", start_date=t.PAST_REPORT_DAY, end_date=t.PAST_REPORT_DAY,
        reason=reasons["illness"], note="Fièvre depuis hier soir."),
        now=_at(t.PAST_REPORT_DAY - timedelta(days=1), t.TODAYS_REPORTS[0][4]))
    late_day, expected, arrived = t.PAST_LATE
    [late] = reports_create(user=parent, students=[child], details=ReportDetails(
        kind="late", start_date=late_day, end_date=late_day, reason=reasons["medical"],
        at_time=expected, note="Prise de sang à la clinique."),
        now=_at(late_day, t.TODAYS_REPORTS[0][4]))
    reports_record(report_ids=[past.pk], actor=None,
                   now=_at(t.PAST_REPORT_DAY, t.TODAYS_REPORTS[1][4]))
    AbsenceReport.objects.filter(pk=late.pk).update(arrived_at=arrived)  # the school's
    reports_record(report_ids=[late.pk], actor=None, now=_at(late_day, arrived))

    day = _school_day(timezone.localdate(), off) if today is None else today
    links = list(StudentGuardian.objects.filter(
        student__school=child.school, student__school__in=schools, has_custody=True,
        guardian__user__isnull=False,
    ).exclude(student__in=children).select_related("student", "guardian__user")
        .order_by("student__niso"))
    seen, chosen = set(), []
    for link in links:
        if link.student_id not in seen:
            seen.add(link.student_id)
            chosen.append(link)
    for link, (kind, reason, moment, note, made_at) in zip(
            chosen, t.TODAYS_REPORTS, strict=False):
        reports_create(user=link.guardian.user, students=[link.student], details=ReportDetails(
            kind=kind, start_date=day, end_date=day, reason=reasons[reason], at_time=moment,
            note=note, picked_up_by="Sa grand-mère" if kind == "early" else ""),
            now=_at(day, made_at))
    unexplained = chosen[len(t.TODAYS_REPORTS)] if len(chosen) > len(t.TODAYS_REPORTS) else None
    if unexplained is not None:
        AttendanceRecord.objects.get_or_create(
            student=unexplained.student, date=day, period=None,
            defaults={"code": AttendanceCode.objects.get(code="ANM")})
