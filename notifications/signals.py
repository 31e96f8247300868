"""An absence or a late arrival recorded by the school is an event for the parents."""

from django.db.models.signals import post_save

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


post_save.connect(attendance_recorded, sender=AttendanceRecord,
                  dispatch_uid="notifications-attendance-recorded")
