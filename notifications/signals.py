"""What the school records becomes an event for the parents: an absence or a late arrival,
and report cards published (documents' signal: documents sits below and never imports us)."""

from datetime import date

from django.db.models.signals import post_save

from documents.signals import report_cards_published
from notifications.events import event_record
from notifications.models import Category
from students.models import AttendanceCode, AttendanceRecord

TOLD = {AttendanceCode.Kind.ABSENT: "absent", AttendanceCode.Kind.LATE: "late"}


def attendance_recorded(sender, instance: AttendanceRecord, created: bool, raw=False,
                        **kwargs) -> None:
    if not created or raw or instance.code.kind not in TOLD:
        return
    event_record(category=Category.ATTENDANCE, key=f"attendance:{instance.pk}",
                 student_ids=[instance.student_id],
                 detail={"date": instance.date.isoformat(), "kind": TOLD[instance.code.kind],
                         "period": instance.period})


def report_cards_recorded(sender, student_ids: list[int], publication_date: date,
                          **kwargs) -> None:
    # One event per child and publication day: the day announced again (a republication,
    # a correction, the hourly task) tells nobody twice; the family's children share an email.
    event_record(category=Category.REPORT_CARD,
                 key=f"report_cards:{publication_date.isoformat()}", student_ids=student_ids)


post_save.connect(attendance_recorded, sender=AttendanceRecord,
                  dispatch_uid="notifications-attendance-recorded")
report_cards_published.connect(report_cards_recorded,
                               dispatch_uid="notifications-report-cards-published")
