"""Retire the cached timetables after any committed change to what they show."""

from django.db.models.signals import post_delete, post_save

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

TIMETABLE_MODELS = (SchoolYear, Term, TimetablePublication, Course, Section, SectionEnrolment,
                    Meeting)


def timetable_data_changed(sender, using: str, **kwargs) -> None:
    timetable_cache.retire_after_commit(using=using)


for model in TIMETABLE_MODELS:
    post_save.connect(timetable_data_changed, sender=model,
                      dispatch_uid=f"timetables-saved-{model.__name__}")
    post_delete.connect(timetable_data_changed, sender=model,
                        dispatch_uid=f"timetables-deleted-{model.__name__}")
