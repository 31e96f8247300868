"""Events → emails: what happened, to whom, when, and the emails that tell it.

What parents may be told about is recorded with `event_record`, by notifications' own
receivers of the other apps' signals (notifications.signals: an absence saved, documents'
`report_cards_published`), since the apps below never import this one:

    from notifications.events import event_record
    from notifications.models import Category
    event_record(category=Category.REPORT_CARD, key=f"report_cards:{day}",
                 student_ids=student_ids)

Recording is one insert in the caller's transaction. Every minute (Celery beat),
`events_plan` gives each parent who may see the child then a Delivery, due when their
subscription says (right away, after quiet hours, or at their daily summary's hour, and
never before `occurred_at`), and `deliveries_send` turns the due deliveries into one email
per parent and batch, through the outbox, in the parent's language.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.models import (
    Announcement,
    Category,
    Delivery,
    EmailBatch,
    Event,
    NotificationSettings,
    Timing,
)
from notifications.selectors import (
    DEFAULT_TIMINGS,
    groups_of_parent,
    published,
    timings_of_users,
)
from outbox.context import context_dump as email_context
from outbox.models import OutboundEmail
from outbox.services import email_queue_many
from students.selectors import visible_links

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
UNSUBSCRIBE_MAX_AGE = timedelta(days=90)
DIGEST = "digest"  # the unsubscribe link of a daily summary: its categories


def _parents_seeing(student_ids: set[int]) -> dict[int, list[int]]:
    """Each of these students → the parents who may see them today: students.selectors'
    rule (visible_links), for the whole batch in one query."""
    seeing = defaultdict(list)
    for student_id, user_id in (visible_links(student_ids)
                                .values_list("student_id", "guardian__user_id")):
        seeing[student_id].append(user_id)
    return seeing


def _members_of(announcement: Announcement) -> set[int]:
    """The parents of the announcement's group today (membership is computed, not stored)."""
    group = announcement.group
    links = {"guardian__student_links__isnull": False}
    if group.kind != group.Kind.BOARD:
        links = {"guardian__student_links__student__school": group.school_id}
    candidates = User.objects.filter(is_active=True, **links).distinct()
    return {user.pk for user in candidates
            if groups_of_parent(user).filter(pk=group.pk).exists()}


def _in_quiet_hours(moment: time, start: time, end: time) -> bool:
    return start <= moment < end if start < end else (moment >= start or moment < end)


def due_time(*, timing: str, occurred_at: datetime, now: datetime,
             settings_row: NotificationSettings) -> datetime:
    """When a delivery may leave: right away (held through quiet hours), or at the next
    daily summary; never before the event (a report card published ahead)."""
    zone = timezone.get_default_timezone()
    start = max(occurred_at, now).astimezone(zone)
    if timing == Timing.DIGEST:
        summary = datetime.combine(start.date(), time(settings_row.digest_hour), zone)
        return summary if summary >= start else summary + timedelta(days=1)
    quiet_start, quiet_end = settings_row.quiet_start, settings_row.quiet_end
    if quiet_start is None or not _in_quiet_hours(start.time(), quiet_start, quiet_end):
        return start
    end = datetime.combine(start.date(), quiet_end, zone)
    return end if end > start else end + timedelta(days=1)


def _deliveries(told: list[tuple[Event, int]], now: datetime) -> list[Delivery]:
    """A delivery for each (event, parent concerned), timed by the parent's choices: read
    for all of them at once (a query per category, one for the settings)."""
    user_ids = {user_id for _event, user_id in told}
    student_ids = {event.student_id for event, _user_id in told if event.student_id}
    chosen = {category: timings_of_users(user_ids, student_ids, category)
              for category in {event.category for event, _user_id in told}}
    settings_rows = {row.user_id: row for row in
                     NotificationSettings.objects.filter(user__in=user_ids)}
    deliveries = []
    for event, user_id in told:
        choices = chosen[event.category]
        timing = (choices.get((user_id, event.student_id))
                  or choices.get((user_id, None)) or DEFAULT_TIMINGS[event.category])
        if timing == Timing.OFF:
            continue
        row = settings_rows.get(user_id) or NotificationSettings(user_id=user_id)
        deliveries.append(Delivery(
            event=event, user_id=user_id, timing=timing,
            due_at=due_time(timing=timing, occurred_at=event.occurred_at, now=now,
                            settings_row=row)))
    return deliveries


def event_record(*, category: str, key: str, student_ids: Iterable[int] = (),
                 announcement: Announcement | None = None, detail: dict | None = None,
                 occurred_at: datetime | None = None) -> None:
    """Record what happened, once per key (and child), in the caller's transaction.

    One insert: who is told, and when, is planned by `events_plan` (every minute), in
    batches. detail holds short, non-personal words for the email: never a mark or OEN."""
    if announcement is None:
        events_about_children_record(
            category=category, occurred_at=occurred_at,
            events=[(key, student_id, detail or {}) for student_id in student_ids])
        return
    Event.objects.bulk_create([Event(category=category, key=key, announcement=announcement,
                                     detail=detail or {},
                                     occurred_at=occurred_at or timezone.now())],
                              ignore_conflicts=True)


def events_about_children_record(*, category: str, events: Iterable[tuple[str, int, dict]],
                                 occurred_at: datetime | None = None) -> None:
    """event_record for many events at once, each with its own key, child and detail (a
    batch of absences): one insert, each once per key and child."""
    occurred_at = occurred_at or timezone.now()
    Event.objects.bulk_create([
        Event(category=category, key=f"{key}:{student_id}", student_id=student_id,
              detail=detail, occurred_at=occurred_at) for key, student_id, detail in events
    ], ignore_conflicts=True)


def events_plan(*, now: datetime | None = None, batch_size: int = 5000) -> int:
    """Give the recorded events their deliveries: who may see the child (or belongs to the
    group) now, and when their choices say. Batched: a morning of absences at once."""
    now = now or timezone.now()
    with transaction.atomic():
        events = list(Event.objects.select_for_update(skip_locked=True, of=("self",))
                      .filter(planned_at__isnull=True).select_related("announcement__group")
                      .order_by("pk")[:batch_size])
        if not events:
            return 0
        student_ids = {event.student_id for event in events if event.student_id}
        seeing = _parents_seeing(student_ids) if student_ids else {}
        told = [(event, user_id) for event in events if event.student_id
                for user_id in seeing.get(event.student_id, ())]
        told += [(event, user_id) for event in events if event.announcement is not None
                 for user_id in _members_of(event.announcement)]
        Delivery.objects.bulk_create(_deliveries(told, now), ignore_conflicts=True)
        Event.objects.filter(pk__in=[event.pk for event in events]).update(planned_at=now)
    return len(events)


def announcements_announce(*, now: datetime | None = None) -> int:
    """Record the event of each announcement that has just become visible."""
    now = now or timezone.now()
    announced = 0
    for announcement in published(Announcement.objects.filter(announced_at__isnull=True),
                                  now=now).select_related("group"):
        with transaction.atomic():
            event_record(category=Category.ANNOUNCEMENT, key=f"announcement:{announcement.pk}",
                         announcement=announcement, occurred_at=announcement.publish_at)
            Announcement.objects.filter(pk=announcement.pk).update(announced_at=now)
        announced += 1
    return announced


def unsubscribe_token(*, user_id: int, category: str) -> str:
    return signing.dumps({"u": user_id, "c": category}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[User, str]:
    """The parent and category behind a link; signing.BadSignature if tampered or expired."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    if data.get("c") not in {*Category.values, DIGEST}:
        raise signing.BadSignature("unknown category")
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None:
        raise signing.BadSignature("no such parent")
    return user, data["c"]


class _Access:
    """What the parents of these deliveries may see now: access may have ended since the
    event, and then the parent is told nothing of it. The children for all of them in one
    query; a parent's groups once, when one of their events is an announcement."""

    def __init__(self, deliveries: list[Delivery]) -> None:
        student_ids = {delivery.event.student_id for delivery in deliveries
                       if delivery.event.student_id}
        self.children: set[tuple[int, int]] = set(
            visible_links(student_ids)
            .filter(guardian__user__in={delivery.user_id for delivery in deliveries})
            .values_list("guardian__user_id", "student_id")) if student_ids else set()
        self.groups: dict[int, set[int]] = {}

    def sees(self, user: User, event: Event) -> bool:
        if event.student_id is not None:
            return (user.pk, event.student_id) in self.children
        if user.pk not in self.groups:
            self.groups[user.pk] = set(groups_of_parent(user).values_list("pk", flat=True))
        return event.announcement.group_id in self.groups[user.pk]


def deliveries_send(*, now: datetime | None = None) -> int:
    """Turn the due deliveries into emails: one per parent for each immediate category, and
    one daily summary, all queued in the outbox in one transaction (bulk inserts)."""
    now = now or timezone.now()
    events_plan(now=now)
    with transaction.atomic():
        due = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(batch__isnull=True, due_at__lte=now)
            .select_related("event__announcement", "user").order_by("user", "pk")
        )
        grouped: dict[tuple[int, str, str], list[Delivery]] = defaultdict(list)
        for delivery in due:
            category = "" if delivery.timing == Timing.DIGEST else delivery.event.category
            grouped[(delivery.user_id, delivery.timing, category)].append(delivery)
        batches = EmailBatch.objects.bulk_create([
            EmailBatch(user_id=user_id, timing=timing, category=category, created_at=now)
            for user_id, timing, category in grouped])
        access, dropped, emails = _Access(due), [], []
        kept: dict[tuple[str, str], list[int]] = defaultdict(list)  # per kind of email
        for batch, deliveries in zip(batches, grouped.values(), strict=True):
            user = deliveries[0].user
            told = [delivery for delivery in deliveries if access.sees(user, delivery.event)]
            dropped += [delivery.pk for delivery in deliveries if delivery not in told]
            kept[(batch.timing, batch.category)] += [delivery.pk for delivery in told]
            if told and user.email:
                token = unsubscribe_token(user_id=user.pk, category=batch.category or DIGEST)
                emails.append(OutboundEmail(
                    idempotency_key=f"notifications-batch:{batch.pk}", recipient=user.email,
                    language=user.preferred_language,
                    template="notifications/"
                    + ("digest" if batch.timing == Timing.DIGEST else "event"),
                    context=email_context({
                        "batch": batch,
                        "unsubscribe_url": settings.SITE_URL.rstrip("/")
                        + reverse("notifications:unsubscribe", kwargs={"token": token}),
                    })))
        # One UPDATE per kind of email, not per parent: each delivery to its parent's batch.
        batch_ids = [batch.pk for batch in batches]
        for (timing, category), delivery_ids in kept.items():
            Delivery.objects.filter(pk__in=delivery_ids).update(batch=Subquery(
                EmailBatch.objects.filter(pk__in=batch_ids, user=OuterRef("user"),
                                          timing=timing, category=category).values("pk")))
        Delivery.objects.filter(pk__in=dropped).delete()
        return email_queue_many(emails) if emails else 0
