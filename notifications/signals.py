"""What the school records becomes an event for the parents: an absence or a late arrival
(saved alone, or a batch: students' `attendance_recorded`), and report cards published
(documents' signal). The apps below send; they never import us.

Staff saving or deleting an announcement or a file raises its group's version in the same
transaction (a group's own save raises it too: Group.save): the home page's cached
announcements of the group are keyed by it."""

from datetime import date

from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_save

from documents.signals import report_cards_published
from notifications.events import event_record, events_about_children_record
from notifications.models import Announcement, Attachment, Category, Group
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


def announcement_saving(sender, instance: Announcement, **kwargs) -> None:
    # Moved to another group, it leaves the first one's announcements too.
    instance._group_before = instance.pk and Announcement.objects.filter(
        pk=instance.pk).values_list("group_id", flat=True).first()


def announcement_changed(sender, instance: Announcement, **kwargs) -> None:
    Group.objects.filter(pk__in={instance.group_id, getattr(instance, "_group_before", None)}
                         ).update(version=F("version") + 1)


def attachment_changed(sender, instance: Attachment, **kwargs) -> None:
    # By the announcement's id: when its announcement is deleted with it, it is gone already.
    Group.objects.filter(announcements=instance.announcement_id).update(
        version=F("version") + 1)


pre_save.connect(announcement_saving, sender=Announcement,
                 dispatch_uid="notifications-announcement-group-before")
for model, receiver in ((Announcement, announcement_changed), (Attachment, attachment_changed)):
    for signal in (post_save, post_delete):
        signal.connect(receiver, sender=model,
                       dispatch_uid=f"notifications-{model.__name__.lower()}-version")

post_save.connect(attendance_saved, sender=AttendanceRecord,
                  dispatch_uid="notifications-attendance-recorded")
attendance_recorded.connect(attendance_batch_recorded,
                            dispatch_uid="notifications-attendance-batch-recorded")
report_cards_published.connect(report_cards_recorded,
                               dispatch_uid="notifications-report-cards-published")
