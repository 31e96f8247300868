"""What the school records becomes an event for the parents: an absence or a late arrival
(saved alone, or a batch: students' `attendance_recorded`), and report cards published
(documents' signal). The apps below send; they never import us."""

from datetime import date

from django.db.models.signals import post_save

from documents.signals import report_cards_published
from notifications.events import event_record, events_about_children_record
from notifications.models import Category
from students.models import AttendanceCode, AttendanceRecord
from students.signals import attendance_recorded

TOLD = {AttendanceCode.Kind.ABSENT: "absent", AttendanceCode.Kind.LATE: "late"}


def _attendance_event(record: AttendanceRecord, kind: str) -> tuple[str, int, dict]:
    return (f"attendance:{record.pk}", record.student_id,
            {"date": record.date.isoformat(), "kind": TOLD[kind], "period": record.period})


def attendance_saved(sender, instance: AttendanceRecord, created: bool, raw=False,
                     **kwargs) -> None:
    if not created or raw or instance.code.kind not in TOLD:
        return
    events_about_children_record(category=Category.ATTENDANCE,
                                 events=[_attendance_event(instance, instance.code.kind)])


def attendance_batch_recorded(sender, records: list[AttendanceRecord], **kwargs) -> None:
    # One query for the batch's few codes, one insert for its events.
    kinds = dict(AttendanceCode.objects.filter(pk__in={record.code_id for record in records})
                 .values_list("pk", "kind"))
    events_about_children_record(category=Category.ATTENDANCE, events=[
        _attendance_event(record, kinds[record.code_id]) for record in records
        if kinds[record.code_id] in TOLD])


def report_cards_recorded(sender, student_ids: list[int], publication_date: date,
                          **kwargs) -> None:
    # One event per child and publication day: the day announced again (a republication,
    # a correction, the hourly task) tells nobody twice; the family's children share an email.
    event_record(category=Category.REPORT_CARD,
                 key=f"report_cards:{publication_date.isoformat()}", student_ids=student_ids)


post_save.connect(attendance_saved, sender=AttendanceRecord,
                  dispatch_uid="notifications-attendance-recorded")
attendance_recorded.connect(attendance_batch_recorded,
                            dispatch_uid="notifications-attendance-batch-recorded")
report_cards_published.connect(report_cards_recorded,
                               dispatch_uid="notifications-report-cards-published")
