"""After a write that commits, the Relevé de notes rows it outdated (the database's
triggers marked them: diplomas migration 0005) are computed again by a Celery task, before
the parents' next visit. The writes heard of here are the admin's and the services' to
results, diploma records and programmes; the others (queryset.update, bulk_create, a
student's new grade, the timetables, which change by the thousand and have their own
cache to retire once a transaction, students.timetable_cache) leave their rows to the
next visit, or to the next run of the task."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from diplomas import tasks
from diplomas.models import Category, DiplomaRecord, Programme, SubjectGroup, Waiver
from students.models import CourseResult


@receiver([post_save, post_delete], sender=Programme)
@receiver([post_save, post_delete], sender=Category)
@receiver([post_save, post_delete], sender=SubjectGroup)
@receiver(m2m_changed, sender=Category.groups.through)
@receiver([post_save, post_delete], sender=CourseResult)
@receiver([post_save, post_delete], sender=DiplomaRecord)
@receiver([post_save, post_delete], sender=Waiver)
def releve_changed(**kwargs) -> None:
    transaction.on_commit(tasks.store_outdated_releves.delay)
