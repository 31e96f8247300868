"""Retire the programmes' cached copy (diplomas.selectors.programme_catalogue) after any
write to them, once it commits."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from diplomas.models import Category, Programme, SubjectGroup
from diplomas.selectors import PROGRAMMES_KEY


@receiver([post_save, post_delete], sender=Programme)
@receiver([post_save, post_delete], sender=Category)
@receiver([post_save, post_delete], sender=SubjectGroup)
@receiver(m2m_changed, sender=Category.groups.through)
def programmes_changed(**kwargs) -> None:
    transaction.on_commit(lambda: cache.delete(PROGRAMMES_KEY))
