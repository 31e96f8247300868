"""Writes of absence reporting: a parent's report (made, changed, cancelled), the school
turning reports into attendance records, and the safe-arrival run. Each is one transaction
with its emails (outbox, notifications' events); the staff's actions with their audit
trail (a parent's are the report's own who and when, as for a signed parent form)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from absences import selectors
from absences.models import AbsenceReport, Reason, SafeArrivalCheck
from accounts.audit import audit_event, audit_record, audit_record_many, snapshot
from notifications.events import event_record
from notifications.models import Category
from outbox.context import context_dump
from outbox.models import OutboundEmail
from outbox.services import email_queue, email_queue_many
from students.models import AttendanceCode, AttendanceRecord, Student
from students.services import attendance_record_many

SAFE_ARRIVAL_SALT = "absences.safe_arrival"
REPORT_FIELDS = ("kind", "start_date", "end_date", "periods", "at_time", "picked_up_by",
                 "reason", "note")


@dataclass(frozen=True)
class ReportDetails:
    """What the parent's form says (the same for every child of one report)."""

    kind: str
    start_date: date
    end_date: date
    reason: Reason
    periods: tuple[int, ...] = ()
    at_time: object = None
    picked_up_by: str = ""
    note: str = ""


def _reported_late(details: ReportDetails, student: Student, now: datetime) -> bool:
    """After the school's cut-off on its own day, or about a day already past."""
    local = timezone.localtime(now)
    cutoff = selectors.school_day_of(student.school).report_cutoff
    return details.start_date < local.date() or (details.start_date == local.date()
                                                 and local.time() > cutoff)


def _confirm(report: AbsenceReport, action: str) -> None:
    """Told to the child's parents as their Notification choices say (Assiduité)."""
    event_record(category=Category.ATTENDANCE,
                 key=f"absence_report:{report.public_id}:{action}:{report.updated_at.timestamp()}",
                 student_ids=[report.student_id],
                 detail={"date": report.start_date.isoformat(), "kind": action})


def _values(details: ReportDetails) -> dict:
    values = {name: getattr(details, name) for name in REPORT_FIELDS}
    values["periods"] = sorted(details.periods)
    return values


@transaction.atomic
def reports_create(*, user, students: list[Student], details: ReportDetails,
                   check: SafeArrivalCheck | None = None,
                   now: datetime | None = None) -> list[AbsenceReport]:
    """One report per child, sharing a batch; the confirmation follows each parent's
    Notification choices, except a safe-arrival answer's, which is always emailed."""
    now = now or timezone.now()
    reports = []
    batch = None
    for student in students:
        report = AbsenceReport(student=student, reported_by=user, created_at=now,
                               updated_at=now, late=_reported_late(details, student, now),
                               **_values(details))
        if batch is not None:
            report.batch = batch
        report.save()
        batch = report.batch
        reports.append(report)
    if check is None:
        today = timezone.localdate(now)
        for report in reports:
            _confirm(report, "reported")
            if report.start_date <= today <= report.end_date:
                # Reported from Assiduité after the safe-arrival email: answered all the same.
                SafeArrivalCheck.objects.filter(student=report.student, date=today,
                                                answered_at__isnull=True).update(
                    answered_at=now, report=report)
        return reports
    answered = SafeArrivalCheck.objects.filter(pk=check.pk, answered_at__isnull=True).update(
        answered_at=now, report=reports[0])
    if not answered:  # the other guardian, or this link twice: the first answer stands
        raise SafeArrivalLinkUsed
    email_queue(recipient=user.email, template="absences/safe_arrival_answered",
                context={"student_first_name": reports[0].student.first_name,
                         "day": now},
                language=user.preferred_language,
                idempotency_key=f"absences/safe_arrival_answered:{check.pk}")
    return reports


@transaction.atomic
def report_update(*, report: AbsenceReport, details: ReportDetails,
                  now: datetime | None = None) -> AbsenceReport:
    now = now or timezone.now()
    for name, value in _values(details).items():
        setattr(report, name, value)
    report.updated_at = now
    report.late = _reported_late(details, report.student, now)
    report.save()
    _confirm(report, "changed")
    return report


@transaction.atomic
def report_cancel(*, report: AbsenceReport, now: datetime | None = None) -> bool:
    """False when it was already cancelled (then nothing changes, nobody is told twice)."""
    now = now or timezone.now()
    if not AbsenceReport.objects.filter(pk=report.pk, cancelled_at__isnull=True).update(
            cancelled_at=now, updated_at=now):
        return False
    report.cancelled_at = report.updated_at = now
    _confirm(report, "cancelled")
    return True


# --- The school's side: reports become attendance records ------------------------------

def _codes() -> dict[str, AttendanceCode]:
    wanted = settings.ABSENCES_ATTENDANCE_CODES
    codes = {code.code: code for code in AttendanceCode.objects.filter(code__in=wanted.values())}
    missing = sorted(set(wanted.values()) - set(codes))
    if missing:
        raise ValidationError(
            _("The attendance code %(code)s is missing from the board's codes.")
            % {"code": ", ".join(missing)}, code="missing_code")
    return {use: codes[code] for use, code in wanted.items()}


def _minutes_late(report: AbsenceReport, starts_at) -> int:
    # The time the school saw the child arrive, else the one the parent expected.
    arrival = datetime.combine(report.start_date, report.arrived_at or report.at_time)
    return max(0, int((arrival - datetime.combine(report.start_date, starts_at))
                      .total_seconds() // 60))


class _Sheet:
    """The attendance of the reports' children over their days, read (and locked) in one
    query and changed in memory: records already taken are updated together, new ones
    inserted as one batch (students' attendance_record_many: the parents' events)."""

    def __init__(self, reports: list[AbsenceReport]) -> None:
        self.days: dict[tuple[int, date], list[AttendanceRecord]] = defaultdict(list)
        self.new: list[AttendanceRecord] = []
        self.changed: dict[int, AttendanceRecord] = {}
        if not reports:
            return
        taken = (AttendanceRecord.objects.select_for_update(of=("self",))
                 .filter(student__in={report.student_id for report in reports},
                         date__gte=min(report.start_date for report in reports),
                         date__lte=max(report.end_date for report in reports))
                 .select_related("code"))
        for record in taken:
            self.days[(record.student_id, record.date)].append(record)

    def of(self, student_id: int, day: date) -> list[AttendanceRecord]:
        """The day's records, by period, the full day's last (as PostgreSQL sorts NULL)."""
        return sorted(self.days[(student_id, day)],
                      key=lambda record: (record.period is None, record.period or 0))

    def set(self, record: AttendanceRecord, **values) -> None:
        for name, value in values.items():
            setattr(record, name, value)
        if record.pk is not None:
            self.changed[record.pk] = record

    def add(self, student_id: int, day: date, period: int | None,
            **values) -> AttendanceRecord:
        record = AttendanceRecord(student_id=student_id, date=day, period=period, **values)
        self.days[(student_id, day)].append(record)
        self.new.append(record)
        return record

    def save(self) -> None:
        if self.changed:
            AttendanceRecord.objects.bulk_update(list(self.changed.values()),
                                                 ["code", "reason", "minutes_late"])
        if self.new:
            attendance_record_many(self.new)


def _record_late(sheet: _Sheet, report: AbsenceReport, code: AttendanceCode, reason: str,
                 minutes: int) -> None:
    """The late-not-absent rule: the absence the teacher took before the child arrived
    (the day's, or the first period's) becomes this late arrival."""
    records = sheet.of(report.student_id, report.start_date)
    absent = [record for record in records if record.code.kind == AttendanceCode.Kind.ABSENT]
    full_day = next((record for record in records if record.period is None), None)
    target = next((record for record in absent if record.period is None), None) or (
        absent[0] if absent else None)
    values = {"code": code, "reason": reason, "minutes_late": minutes}
    if target is not None:
        sheet.set(target, **values)
    elif full_day is None:
        sheet.add(report.student_id, report.start_date, None, **values)
    # else the school already recorded the day otherwise (present, late): it stands


def _record_absent(sheet: _Sheet, report: AbsenceReport, day: date, code: AttendanceCode,
                   reason: str, periods: list[int]) -> None:
    records = sheet.of(report.student_id, day)
    by_period = {record.period: record for record in records}
    if periods:
        for period in periods:
            if period in by_period:
                sheet.set(by_period[period], code=code, reason=reason)
            else:
                by_period[period] = sheet.add(report.student_id, day, period, code=code,
                                              reason=reason)
        return
    # The teacher's absences of that day's periods get the reason; else the whole day.
    taken = [record for record in records if record.period is not None
             and record.code.kind == AttendanceCode.Kind.ABSENT]
    for record in taken:
        sheet.set(record, code=code, reason=reason)
    if taken:
        return
    if None in by_period:
        sheet.set(by_period[None], code=code, reason=reason)
    else:
        sheet.add(report.student_id, day, None, code=code, reason=reason)


@transaction.atomic
def reports_record(*, report_ids: list[int], actor, now: datetime | None = None) -> int:
    """Turn reports into attendance records with the board's codes (absence motivée,
    retard motivé); a report already recorded or cancelled is left. Returns how many.
    The same queries for one report or a school's morning of them."""
    now = now or timezone.now()
    codes = _codes()
    reports = list(AbsenceReport.objects.select_for_update(of=("self",))
                   .filter(pk__in=report_ids, recorded_at__isnull=True,
                           cancelled_at__isnull=True)
                   .select_related("student__school__school_day", "reason__absence_code",
                                   "reason__late_code").order_by("pk"))
    school_days = selectors.school_days_of(list({r.student.school for r in reports}))
    off = selectors.days_off({r.student.school_id for r in reports},
                             min((r.start_date for r in reports), default=now.date()),
                             max((r.end_date for r in reports), default=now.date()))
    sheet = _Sheet(reports)
    audit = []
    with translation.override(settings.LANGUAGE_CODE):  # staff and report cards read it
        for report in reports:
            # The reason's own codes, else the board's usual ones.
            reason = report.reason.label
            absent = report.reason.absence_code or codes["absent"]
            if report.kind == AbsenceReport.Kind.LATE_ARRIVAL:
                _record_late(sheet, report, report.reason.late_code or codes["late"], reason,
                             _minutes_late(report,
                                           school_days[report.student.school_id].starts_at))
            elif report.kind == AbsenceReport.Kind.EARLY_DEPARTURE:
                # The rest of the day: every period from the departure on, and those ticked.
                periods = set(report.periods) | selectors.periods_from(
                    report.student, report.start_date, report.at_time)
                if periods:
                    _record_absent(sheet, report, report.start_date, absent, reason,
                                   sorted(periods))
            else:
                day = report.start_date
                while day <= report.end_date:
                    if selectors.is_school_day(report.student.school_id, day, off):
                        _record_absent(sheet, report, day, absent, reason, report.periods)
                    day += timedelta(days=1)
            before = snapshot(report)
            report.recorded_at, report.recorded_by = now, actor
            audit.append(audit_event(actor=actor, action="absence_report_recorded",
                                     instance=report, before=before))
    sheet.save()
    AbsenceReport.objects.filter(pk__in=[report.pk for report in reports]).update(
        recorded_at=now, recorded_by=actor)
    audit_record_many(audit)
    return len(reports)


# --- Safe arrival -----------------------------------------------------------------------

class SafeArrivalLinkUsed(Exception):
    """The check was already answered: a link works once."""


def safe_arrival_token(*, check: SafeArrivalCheck, user_id: int) -> str:
    return signing.dumps({"c": check.pk, "u": user_id}, salt=SAFE_ARRIVAL_SALT)


def safe_arrival_read(token: str) -> tuple[SafeArrivalCheck, int]:
    """The check and the guardian's account behind a link. signing.SignatureExpired when
    too old, signing.BadSignature when tampered with; SafeArrivalLinkUsed once answered."""
    data = signing.loads(token, salt=SAFE_ARRIVAL_SALT,
                         max_age=settings.SAFE_ARRIVAL_LINK_MAX_AGE)
    check = (SafeArrivalCheck.objects.select_related("student__school")
             .filter(pk=data.get("c")).first())
    if check is None:
        raise signing.BadSignature("no such check")
    if check.answered_at is not None:
        raise SafeArrivalLinkUsed
    return check, data.get("u")


def safe_arrival_run(*, now: datetime | None = None) -> int:
    """At each elementary school's time: every child absent today with no report gets a
    check and each guardian who may report an email with a signed link. Runs every few
    minutes (Celery beat); the check's uniqueness makes a child's email go once.
    Returns the checks made."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    school_ids = selectors.schools_due_for_safe_arrival(now)
    if not school_ids:
        return 0
    with transaction.atomic():
        students = {student.pk: student for student in
                    selectors.unexplained_absences(school_ids, today).select_related("school")}
        if not students:
            return 0
        SafeArrivalCheck.objects.bulk_create(
            [SafeArrivalCheck(student_id=pk, date=today, emailed_at=now) for pk in students],
            ignore_conflicts=True)
        # Ours: made at this instant (a concurrent run's have another time, or none).
        checks = list(SafeArrivalCheck.objects.filter(date=today, student__in=list(students),
                                                      emailed_at=now, emailed_to=0))
        guardians = selectors.guardian_users_for([check.student_id for check in checks], today)
        site = settings.SITE_URL.rstrip("/")
        emails = []
        for check in checks:
            student = students[check.student_id]
            users = guardians.get(check.student_id, [])
            for user in users:
                token = safe_arrival_token(check=check, user_id=user.pk)
                emails.append(OutboundEmail(
                    idempotency_key=f"absences/safe_arrival:{check.pk}:{user.pk}",
                    recipient=user.email, language=user.preferred_language,
                    template="absences/safe_arrival",
                    context=context_dump({
                        "student_first_name": student.first_name,
                        "school_name": student.school.name, "day": now,
                        "answer_url": site + reverse("absences:safe_arrival",
                                                     kwargs={"token": token})})))
            check.emailed_to = len(users)
        SafeArrivalCheck.objects.bulk_update(checks, ["emailed_to"], batch_size=1000)
        if emails:
            email_queue_many(emails)
    return len(checks)


@transaction.atomic
def safe_arrival_called(*, check_ids: list[int], actor, now: datetime | None = None) -> int:
    """The school called the family of each unanswered check."""
    now = now or timezone.now()
    checks = list(SafeArrivalCheck.objects.select_for_update()
                  .filter(pk__in=check_ids, answered_at__isnull=True, called_at__isnull=True))
    for check in checks:
        before = snapshot(check)
        check.called_at = now
        check.save(update_fields=["called_at"])
        audit_record(actor=actor, action="safe_arrival_called", instance=check, before=before)
    return len(checks)
