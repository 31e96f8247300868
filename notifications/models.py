import uuid
from collections import defaultdict
from datetime import date
from functools import lru_cache

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from notifications.content import markdown_to_html, private_attachment_path
from portail.formats import day_in_sentence
from students.models import Grade, Student

# School groups and their announcements (the Page d'accueil), and the email notifications
# parents subscribe to (the Notification side tab).


class Group(models.Model):
    """A school group: the board, a school, a grade of a school, or a class (section).

    Parents are never stored as members: notifications.selectors computes membership from
    the children they may see today, so that access ended also ends membership at once.
    """

    class Kind(models.TextChoices):
        BOARD = "board", _("Whole board")
        SCHOOL = "school", _("School")
        GRADE = "grade", _("Grade of a school")
        SECTION = "section", _("Class")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    school = models.ForeignKey("students.School", on_delete=models.CASCADE, null=True,
                               blank=True, related_name="groups", verbose_name=_("school"),
                               help_text=_("Empty only for the whole board's group."))
    grade = models.SmallIntegerField(_("grade"), choices=Grade.choices, null=True, blank=True)
    section = models.ForeignKey("students.Section", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="groups", verbose_name=_("class"))
    # Raised in the transaction that saves the group (save()) or saves or deletes one of its
    # announcements or their files (notifications.signals): the home page's cached
    # announcements of the group are keyed by it, read with the groups themselves
    # (notifications.selectors).
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("school group")
        verbose_name_plural = _("school groups")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="board", school__isnull=True, grade__isnull=True,
                      section__isnull=True)
                    | Q(kind="school", school__isnull=False, grade__isnull=True,
                        section__isnull=True)
                    | Q(kind="grade", school__isnull=False, grade__isnull=False,
                        section__isnull=True)
                    | Q(kind="section", school__isnull=False, grade__isnull=True,
                        section__isnull=False)
                ),
                name="group_kind_fields",
                violation_error_message=_(
                    "A board group has no school; a school group has a school; a grade group "
                    "has a school and a grade; a class group has a school and a class."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        raised = not self._state.adding
        if raised:
            # Raised by the UPDATE itself: an instance read before another change never
            # writes its older version back.
            self.version = F("version") + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)
        if raised:
            del self.__dict__["version"]  # the expression; read from the row if asked for


class Announcement(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="announcements",
                              verbose_name=_("group"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True,
                            help_text=_("Markdown: **bold**, *italics*, lists, [links](https://…)."))
    # Rendered and cleaned when saved: parents' pages show it as it is.
    body_html = models.TextField(editable=False, blank=True)
    publish_at = models.DateTimeField(_("published from"), default=timezone.now)
    expires_at = models.DateTimeField(_("shown until"), null=True, blank=True)
    pinned = models.BooleanField(_("pinned"), default=False,
                                 help_text=_("Shown first on the group's page."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("posted by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # When the parents' notification event was recorded (at publication, not at writing).
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-publish_at"]
        indexes = [models.Index(fields=["group", "-publish_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=F("publish_at")),
                name="announcement_publish_before_expiry",
                violation_error_message=_(
                    "The announcement must be published before its expiry date."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = markdown_to_html(self.body)
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)


class Attachment(models.Model):
    """A PDF or an image of an announcement, stored privately, served after an access check."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE,
                                     related_name="attachments",
                                     verbose_name=_("announcement"))
    file = models.FileField(_("file"), upload_to=private_attachment_path)
    name = models.CharField(_("file name"), max_length=200, editable=False)
    content_type = models.CharField(max_length=50, editable=False)
    size = models.PositiveIntegerField(_("size"), editable=False, default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.TextChoices):
    """What a parent may be told about by email."""

    REPORT_CARD = "report_card", _("New report card or document")
    ATTENDANCE = "attendance", _("Absence or late arrival recorded")
    ANNOUNCEMENT = "announcement", _("New announcement in a group")
    TIMETABLE = "timetable", _("Timetable published")
    PARENT_FORM = "parent_form", _("A parent form to complete")


class Timing(models.TextChoices):
    IMMEDIATE = "immediate", _("Right away")
    DIGEST = "digest", _("In the daily summary")
    OFF = "off", _("No email")


class Subscription(models.Model):
    """A parent's choice for a category: for one child, or (student empty) for all of them.

    A child's own choice wins over the family's; without either, DEFAULT_TIMINGS.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="subscriptions", verbose_name=_("user"))
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="+", verbose_name=_("student"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    timing = models.CharField(_("when"), max_length=10, choices=Timing.choices)

    class Meta:
        verbose_name = _("email subscription")
        verbose_name_plural = _("email subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["user", "student", "category"],
                                    nulls_distinct=False, name="subscription_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.category}: {self.timing}"


class NotificationSettings(models.Model):
    """When a parent's emails may leave: the daily summary's hour, and quiet hours."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_settings",
                                verbose_name=_("user"))
    digest_hour = models.PositiveSmallIntegerField(
        _("hour of the daily summary"), default=18,
        validators=[MinValueValidator(0), MaxValueValidator(23)])
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")
        constraints = [
            models.CheckConstraint(condition=Q(digest_hour__gte=0, digest_hour__lte=23),
                                   name="notificationsettings_digest_hour_range"),
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="notificationsettings_quiet_hours_both",
                violation_error_message=_("Give both ends of the quiet hours, or neither."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


# An email's line per kind of event (the Notification tab's categories).
ABSENCE_LINE = _("Absence recorded on %(day)s")
ATTENDANCE_LINES = {
    "reported": _("Absence reported by a guardian for %(day)s"),
    "changed": _("Absence report for %(day)s changed by a guardian"),
    "cancelled": _("Absence report for %(day)s cancelled by a guardian"),
    "late": _("Late arrival recorded on %(day)s"),
}
EVENT_LINES = {
    Category.REPORT_CARD: _("A new report card or document is available."),
    Category.TIMETABLE: _("The timetable has been published."),
    Category.PARENT_FORM: _("A parent form is waiting for your answer."),
}


@lru_cache(maxsize=1024)
def _attendance_line(language: str | None, kind: str | None, day: str, period) -> str:
    """An absence's line in the active language (`language`: the cache's key). A morning's
    emails repeat the same few lines (a date, a kind, a period) for every family: the worker
    formats each date and looks its words up once, not on every line of every email."""
    line = str(ATTENDANCE_LINES.get(kind, ABSENCE_LINE)) % {
        "day": day_in_sentence(date.fromisoformat(day))}
    if period:
        line += " (%s)" % (gettext("period %(period)s") % {"period": period})
    return line


def event_line(category: str, detail: dict, group_name: str | None, title: str | None) -> str:
    """What an email says of an event, in the active language, as plain text (the HTML
    part escapes it): from the few words of it an email reads, not the rows."""
    if category == Category.ATTENDANCE:
        return _attendance_line(get_language(), detail.get("kind"), detail["date"],
                                detail.get("period"))
    if category == Category.ANNOUNCEMENT:
        return f"{group_name}: {title}"
    line = str(EVENT_LINES.get(category, ""))
    return f"{line} {detail['title']}" if detail.get("title") else line


class Event(models.Model):
    """Something parents may be told about: one per fact (its key makes it once)."""

    key = models.CharField(max_length=200, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="+")
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="+")
    # Short, non-personal words for the email ("2026-10-05", "absent"): never a mark or OEN.
    detail = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    # When its deliveries were made (events_plan); empty: still to plan.
    planned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification event")
        verbose_name_plural = _("notification events")
        ordering = ["occurred_at", "pk"]
        indexes = [models.Index(fields=["id"], condition=Q(planned_at__isnull=True),
                                name="event_to_plan")]

    def __str__(self) -> str:
        return self.key

class Delivery(models.Model):
    """An event for one parent, due at a time their settings decide; sent in a batch."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    timing = models.CharField(max_length=10, choices=Timing.choices)
    due_at = models.DateTimeField()
    batch = models.ForeignKey("EmailBatch", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="deliveries")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="delivery_once_per_user"),
        ]
        indexes = [models.Index(fields=["due_at"], condition=Q(batch__isnull=True),
                                name="delivery_pending_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.user_id}"


def _shown_events(deliveries) -> list[tuple]:
    """These deliveries' events with only the words an email shows, in the order told: a
    child's row is wide (and personal), and model instances cost more than the words."""
    return list(deliveries.order_by("event__occurred_at", "event__pk").values_list(
        "batch_id", "event__student_id", "event__student__preferred_first_name",
        "event__student__legal_first_name", "event__category", "event__detail",
        "event__announcement__group__name", "event__announcement__title"))


class EmailBatch(models.Model):
    """One email to one parent: the deliveries it carries, grouped per child."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    timing = models.CharField(max_length=10, choices=Timing.choices)
    # One category for an immediate email (its unsubscribe link); empty for a summary.
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id} {self.timing} {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def email_rows(cls, queryset) -> list["EmailBatch"]:
        """outbox.context's hook: a worker's chunk of batches with their events' words, in
        two queries for the chunk instead of two per email."""
        batches = list(queryset)
        shown = defaultdict(list)
        for row in _shown_events(Delivery.objects.filter(batch__in=batches)):
            shown[row[0]].append(row)
        for batch in batches:
            batch.events_shown = shown[batch.pk]
        return batches

    @cached_property  # the text and the HTML part of one email both read it
    def parts(self) -> list[dict]:
        """What the email tells, per child (first names only) and then the groups' news:
        each event's line in the active language (the email's)."""
        if not hasattr(self, "events_shown"):
            self.events_shown = _shown_events(Delivery.objects.filter(batch=self))
        parts: dict[int | None, dict] = {}
        for (_batch, student_id, preferred, legal, category, detail, group_name,
             title) in self.events_shown:
            part = parts.setdefault(student_id, {
                "first_name": Student.name_shown(preferred, legal) if student_id else None,
                "lines": []})
            part["lines"].append(event_line(category, detail, group_name, title))
        # The children first, in the order of their first event; the groups' news last.
        return sorted(parts.values(), key=lambda part: part["first_name"] is None)
