"""Writes of the Notification tab: what a parent wants to be told, and when."""

from django.db import transaction

from notifications.models import NotificationSettings, Subscription, Timing
from notifications.selectors import timings_for
from students.models import Student


@transaction.atomic
def subscriptions_save(*, user, student: Student | None, timings: dict[str, str]) -> None:
    """Store the parent's choices for one child, or (student None) for all the children:
    then each child's own choice for those categories gives way to the family's."""
    for category, timing in timings.items():
        Subscription.objects.update_or_create(user=user, student=student, category=category,
                                              defaults={"timing": timing})
    if student is None:
        Subscription.objects.filter(user=user, student__isnull=False,
                                    category__in=list(timings)).delete()


def notification_settings_save(*, settings: NotificationSettings) -> None:
    settings.save()


@transaction.atomic
def subscription_stop(*, user, category: str | None) -> bool:
    """The one-click unsubscribe: no more email of this category (None: the daily summary's
    categories) for any child. False when there was nothing left to stop."""
    current = timings_for(user, None)
    children_rows = Subscription.objects.filter(user=user, student__isnull=False)
    if category is None:
        stopped = [name for name, timing in current.items() if timing == Timing.DIGEST]
        stopped += list(children_rows.filter(timing=Timing.DIGEST)
                        .values_list("category", flat=True).distinct())
    else:
        on = current[category] != Timing.OFF or children_rows.filter(
            category=category).exclude(timing=Timing.OFF).exists()
        stopped = [category] if on else []
    if not stopped:
        return False
    subscriptions_save(user=user, student=None,
                       timings=dict.fromkeys(set(stopped), Timing.OFF))
    return True
