"""Retire the cached timetables after any committed change to what they show."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from students import services
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


def timetable_data_changed(sender, **kwargs) -> None:
    # After the commit: a page rendered in between would cache the old rows under the new
    # version. Once per transaction (run_on_commit holds Django's pending callbacks as
    # (savepoint ids, callback, robust)): an import of 2,000 sections retires the cache
    # once, not 2,000 times. Robust: the change is saved, whatever the cache says.
    connection = transaction.get_connection()
    if not any(callback is services.timetables_changed
               for _savepoints, callback, _robust in connection.run_on_commit):
        transaction.on_commit(services.timetables_changed, robust=True)


for model in TIMETABLE_MODELS:
    post_save.connect(timetable_data_changed, sender=model,
                      dispatch_uid=f"timetables-saved-{model.__name__}")
    post_delete.connect(timetable_data_changed, sender=model,
                        dispatch_uid=f"timetables-deleted-{model.__name__}")
