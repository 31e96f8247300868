"""Retire the cached timetables after any committed change to what they show; and what
students tells the apps above it (which it never imports)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

from students import timetable_cache
from students.models import (
    Course,
    Meeting,
    SchoolYear,
    Section,
    SectionEnrolment,
    Term,
    TimetablePublication,
)

# New attendance records saved as a batch (students.services.attendance_record_many), sent
# inside its transaction with `records` (their pks set): bulk inserts send no post_save.
attendance_recorded = Signal()

TIMETABLE_MODELS = (SchoolYear, Term, TimetablePublication, Course, Section, SectionEnrolment,
                    Meeting)


def timetable_data_changed(sender, using: str, **kwargs) -> None:
    timetable_cache.retire_after_commit(using=using)


for model in TIMETABLE_MODELS:
    post_save.connect(timetable_data_changed, sender=model,
                      dispatch_uid=f"timetables-saved-{model.__name__}")
    post_delete.connect(timetable_data_changed, sender=model,
                        dispatch_uid=f"timetables-deleted-{model.__name__}")
