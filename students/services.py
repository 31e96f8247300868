"""Writes of the Famille tab: calendar links, parent-form answers."""

from django.db import IntegrityError, transaction

from students.models import CalendarFeed, ParentForm, ParentFormResponse, Student


def calendar_feed_get_or_create(*, user, student: Student) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user, student=student)
    return feed


def calendar_feed_revoke(*, user, student: Student) -> None:
    """The old link stops working at once; a new one can be made."""
    CalendarFeed.objects.filter(user=user, student=student).delete()


def parent_form_answer(*, form: ParentForm, student: Student, user, accepted: bool,
                       signature: str) -> ParentFormResponse | None:
    """Record the answer, once per child: None when the child's form was already answered."""
    try:
        with transaction.atomic():
            return ParentFormResponse.objects.create(
                form=form, student=student, answered_by=user, accepted=accepted,
                signature=signature.strip(),
            )
    except IntegrityError:
        return None
