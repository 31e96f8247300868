"""Reads for the home page, the group pages and the Notification tab.

A parent's groups are computed from the children they may see today
(students.selectors.students_visible_to): nothing is stored per parent, so access ended at 18
or by a court order ends membership at once.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.template.loader import get_template
from django.utils import timezone, translation

from documents import selectors as document_selectors
from notifications.models import (
    Announcement,
    Attachment,
    Category,
    Group,
    NotificationSettings,
    Subscription,
    Timing,
)
from portail.compiled import CompiledQuery
from portail.paths import path_maker
from students.models import SectionEnrolment, Student
from students.selectors import students_visible_to, visible_children

HOME_ANNOUNCEMENTS = 10
# A group's cached announcements (home_announcements) are keyed by its version: the timeout
# only lets go of groups nobody reads any more.
HOME_ENTRY_SECONDS = 24 * 60 * 60
GROUP_PAGE_SIZE = 10

DEFAULT_TIMINGS = {
    Category.REPORT_CARD: Timing.IMMEDIATE,
    Category.ATTENDANCE: Timing.IMMEDIATE,
    Category.ANNOUNCEMENT: Timing.DIGEST,
    Category.TIMETABLE: Timing.DIGEST,
    Category.PARENT_FORM: Timing.DIGEST,
}
# What is about one child; announcements are about a group, chosen for all the children.
CHILD_CATEGORIES = tuple(category for category in Category if category != Category.ANNOUNCEMENT)


def groups_of_children(children: Iterable[Student], *, today=None) -> QuerySet[Group]:
    """The groups of these children: the board's, their schools', grades' and classes'."""
    children = list(children)
    if not children:
        return Group.objects.none()
    return _groups_of(_pk_school_grade(children), today or timezone.localdate())


def _pk_school_grade(children: list[Student]) -> tuple[int, ...]:
    """Each child's id, school and grade, one child after the other: what decides their
    groups (_groups_of's value)."""
    return tuple(value for child in children
                 for value in (child.pk, child.school_id, child.grade))


def _groups_of(children: tuple[int, ...], today) -> QuerySet[Group]:
    """groups_of_children's query, from the children's _pk_school_grade."""
    pks, schools, grades = children[0::3], children[1::3], children[2::3]
    condition = Q(kind=Group.Kind.BOARD) | Q(kind=Group.Kind.SCHOOL, school__in=schools)
    for school_id, grade in zip(schools, grades, strict=True):
        condition |= Q(kind=Group.Kind.GRADE, school_id=school_id, grade=grade)
    # Classes of a term not over yet: last semester's class is no longer theirs.
    condition |= Q(kind=Group.Kind.SECTION, section__in=SectionEnrolment.objects.filter(
        student__in=pks, section__term__end_date__gte=today,
    ).values("section"))
    return Group.objects.filter(condition).select_related("school")


# home_groups' query: the ORM compiles it once per number of children and day
# (portail.compiled).
HOME_GROUPS = CompiledQuery(
    lambda children, today: _groups_of(children, today).only("public_id", "name", "version",
                                                             "school__name"),
    keys=16,
)


def home_groups(children: list[Student]) -> list[Group]:
    """list(groups_of_children(children)) with what the home page shows of them; the rows,
    which decide what the parent sees, read now."""
    if not children:
        return []
    return HOME_GROUPS.rows(_pk_school_grade(children), timezone.localdate())


def groups_of_parent(user) -> QuerySet[Group]:
    return groups_of_children(students_visible_to(user))


def published(queryset: QuerySet[Announcement], *, now: datetime | None = None):
    now = now or timezone.now()
    return queryset.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now),
                           publish_at__lte=now)


# An announcement's files, as its markup lists them (notifications/includes/attachments.html).
ATTACHMENTS = Prefetch("attachments", queryset=Attachment.objects.only(
    "public_id", "name", "size", "announcement_id").order_by("name"))


def home_announcements(groups: list[Group], *, now: datetime | None = None,
                       limit: int = HOME_ANNOUNCEMENTS) -> list[str]:
    """The markup of the latest announcements across these groups, newest first, each
    labelled with its group (`group.url` set).

    Each group's items come from a cache shared by all its parents (per language, keyed by
    the group's version, raised when staff change it: Group.version), with what is
    needed to merge them and to filter them at `now`; the groups themselves, which decide
    access, are the caller's, read on every request. Groups missing from the cache (or
    Redis away: it fails open) cost two queries together (the announcements, their files).
    """
    if not groups:
        return []
    now = now or timezone.now()
    language = translation.get_language()
    # 2: the items' markup's revision (notifications/includes/home_announcement.html).
    keys = {f"home-announcements:2:{group.pk}:{group.version}:{language}": group
            for group in groups}
    entries = {key: entry for key, entry in cache.get_many(list(keys)).items()
               if entry.rebuild_at is None or now < entry.rebuild_at}
    if missing := {key: group for key, group in keys.items() if key not in entries}:
        built = _home_entries(list(missing.values()), now=now, limit=limit)
        fresh = {key: built[group.pk] for key, group in missing.items()}
        cache.set_many(fresh, HOME_ENTRY_SECONDS)
        entries.update(fresh)
    shown = [item for entry in entries.values() for item in entry.items
             if item.publish_at <= now and (item.expires_at is None or now < item.expires_at)]
    shown.sort(key=lambda item: (item.publish_at, item.pk), reverse=True)
    return [item.html for item in shown[:limit]]


class HomeItem(NamedTuple):
    publish_at: datetime
    pk: int
    expires_at: datetime | None
    html: str


class HomeEntry(NamedTuple):
    """A group's cached announcements: those scheduled and the latest `limit` published,
    none expired when built; built again from `rebuild_at` (the first expiry among them),
    when the group's next published one may be needed."""
    items: list[HomeItem]
    rebuild_at: datetime | None


def _home_entries(groups: list[Group], *, now: datetime, limit: int) -> dict[int, HomeEntry]:
    """The entries of these groups, in one query; each item's markup in the reader's
    language (the date's month)."""
    by_pk = {group.pk: group for group in groups}
    newest_first = {"partition_by": F("group_id"),
                    "order_by": [F("publish_at").desc(), F("pk").desc()]}
    rows = (
        Announcement.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now),
                                    group__in=list(by_pk))
        .annotate(rank=Window(RowNumber(), **newest_first),
                  scheduled=Window(Count("pk", filter=Q(publish_at__gt=now)),
                                   partition_by=F("group_id")))
        # Scheduled ones rank first: all of them, then the latest `limit` published.
        .filter(rank__lte=F("scheduled") + limit)
        .only("group_id", "title", "body_html", "publish_at", "expires_at", "pinned")
        .prefetch_related(ATTACHMENTS)
    )
    items: dict[int, list[HomeItem]] = {pk: [] for pk in by_pk}
    template = get_template("notifications/includes/home_announcement.html")
    for announcement in rows:
        announcement.group = by_pk[announcement.group_id]
        items[announcement.group_id].append(HomeItem(
            announcement.publish_at, announcement.pk, announcement.expires_at,
            template.render({"announcement": announcement})))
    return {pk: HomeEntry(listed, min((item.expires_at for item in listed if item.expires_at),
                                      default=None))
            for pk, listed in items.items()}


def home_page(user) -> dict:
    """Page d'accueil: the children the parent may see today, their groups, the latest
    announcements and the report cards recently published; five queries with the user's,
    whatever the numbers. Each row carries its links."""
    children = visible_children(user)
    groups = home_groups(children)
    group_path = path_maker("notifications:group", "public_id")
    child_path = path_maker("students:details", "public_id")
    for chosen in groups:
        chosen.url = group_path(public_id=chosen.public_id)
    for child in children:
        child.url = child_path(public_id=child.public_id)
    return {"children": children, "groups": groups,
            "announcements": home_announcements(groups),
            "documents": document_selectors.recent_report_card_files(children),
            "documents_days": document_selectors.RECENT_DAYS}


def group_for_parent(user, public_id: UUID | str) -> Group:
    """A group the parent belongs to today, or 404 (never 403)."""
    try:
        return groups_of_parent(user).get(public_id=public_id)
    except (Group.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing


def group_announcements(group: Group) -> QuerySet[Announcement]:
    """The group's page: pinned first, then newest first, each with its files."""
    return (
        published(group.announcements.all()).defer("body")
        .prefetch_related(ATTACHMENTS)
        .order_by("-pinned", "-publish_at", "-pk")
    )


def group_files(group: Group) -> QuerySet[Attachment]:
    return Attachment.objects.filter(
        announcement__in=published(group.announcements.all())
    ).select_related("announcement").order_by("-announcement__publish_at", "name")


def attachment_for_parent(user, public_id: UUID | str) -> Attachment:
    """An attachment of a published announcement in one of the parent's groups; else 404."""
    try:
        return Attachment.objects.get(
            public_id=public_id,
            announcement__in=published(Announcement.objects.filter(
                group__in=groups_of_parent(user))),
        )
    except (Attachment.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing


def notification_settings_of(user) -> NotificationSettings:
    """The parent's settings, unsaved defaults if they never chose."""
    return (NotificationSettings.objects.filter(user=user).first()
            or NotificationSettings(user=user))


# A parent's choices, for all their children: compiled once per process (portail.compiled),
# the rows read on every visit.
SUBSCRIPTIONS = CompiledQuery(lambda user_id: Subscription.objects.filter(user=user_id))


def timings_for(user, student: Student | None) -> dict[str, str]:
    """Each category's timing for this child (or, with None, for all the children)."""
    # The other children's rows are read too, and never looked up.
    rows = {(row.student_id, row.category): row.timing for row in SUBSCRIPTIONS.rows(user.pk)}
    return {
        category: rows.get((student.pk if student else None, category))
        or rows.get((None, category)) or DEFAULT_TIMINGS[category]
        for category in Category.values
    }


def timings_of_users(user_ids: Iterable[int], student_ids: Iterable[int], category: str
                     ) -> dict[tuple[int, int | None], str]:
    """The stored choices of many parents for a category: (user, student or None) → timing."""
    return {
        (user_id, student_id): timing
        for user_id, student_id, timing in Subscription.objects.filter(
            Q(student__isnull=True) | Q(student__in=list(student_ids)),
            user__in=list(user_ids), category=category,
        ).values_list("user_id", "student_id", "timing")
    }
