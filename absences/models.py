"""Parents' absence reports, the school's day (times and days without school) and the
safe-arrival checks of unexplained absences."""

import uuid
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portail.formats import long_date
from portail.text import in_reader_language

NOTE_MAX_LENGTH = 500


class SchoolDay(models.Model):
    """A school's day as absence reporting needs it (defaults where a school has none)."""

    school = models.OneToOneField("students.School", on_delete=models.CASCADE,
                                  related_name="school_day", verbose_name=_("school"))
    starts_at = models.TimeField(_("school day starts"), default=time(8, 0))
    ends_at = models.TimeField(_("school day ends"), default=time(15, 0))
    report_cutoff = models.TimeField(
        _("reports cut-off"), default=time(8, 0),
        help_text=_("A report for the same day made after this time is marked late."))
    safe_arrival_at = models.TimeField(
        _("safe-arrival check"), default=time(9, 30),
        help_text=_("Guardians of an elementary student absent without a report are "
                    "emailed at this time."))

    class Meta:
        verbose_name = _("school day")
        verbose_name_plural = _("school days")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="schoolday_times_in_order",
                                   violation_error_message=_(
                                       "The end time must come after the start time.")),
        ]

    def __str__(self) -> str:
        return str(self.school)


class DayOff(models.Model):
    """A day without school: a holiday or a P.A. day, for one school or the whole board."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        PA_DAY = "pa_day", _("P.A. day")

    date = models.DateField(_("date"))
    school = models.ForeignKey("students.School", on_delete=models.CASCADE, null=True,
                               blank=True, related_name="days_off", verbose_name=_("school"),
                               help_text=_("Leave empty for every school of the board."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("day without school")
        verbose_name_plural = _("days without school")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date", "school"], nulls_distinct=False,
                                    name="dayoff_unique"),
        ]

    def __str__(self) -> str:
        return f"{long_date(self.date)} {self.label or self.get_kind_display()}"

    def clean(self) -> None:
        # The board's day already closes every school: a school's copy would say it twice.
        if self.school_id and self.date and DayOff.objects.filter(
                date=self.date, school__isnull=True).exists():
            raise ValidationError({"date": _(
                "This date is already a day without school for every school of the board.")})


class ReasonQuerySet(models.QuerySet):
    def active(self) -> "ReasonQuerySet":
        return self.filter(active=True)


class Reason(models.Model):
    """One of the board's reasons for an absence: the board edits the list, schools read
    it. A reason in use cannot be deleted, only deactivated (old reports keep showing it)."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    label_fr = models.CharField(_("French label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=100)
    # Empty: the board's usual code (settings.ABSENCES_ATTENDANCE_CODES).
    absence_code = models.ForeignKey(
        "students.AttendanceCode", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", limit_choices_to={"kind": "absent"},
        verbose_name=_("attendance code for an absence"),
        help_text=_("Leave empty for the board's usual code (absence motivée)."))
    late_code = models.ForeignKey(
        "students.AttendanceCode", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", limit_choices_to={"kind": "late"},
        verbose_name=_("attendance code for a late arrival"),
        help_text=_("Leave empty for the board's usual code (retard motivé)."))
    active = models.BooleanField(_("offered to parents"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ReasonQuerySet.as_manager()

    class Meta:
        verbose_name = _("reason")
        verbose_name_plural = _("reasons")
        ordering = ["order", "label_fr"]

    def __str__(self) -> str:
        return self.label_fr

    @property
    def label(self) -> str:
        """In the language of the page (or of the email)."""
        return in_reader_language(self.label_fr, self.label_en)


class AbsenceReportQuerySet(models.QuerySet):
    def active(self) -> "AbsenceReportQuerySet":
        return self.filter(cancelled_at__isnull=True)

    def covering(self, day) -> "AbsenceReportQuerySet":
        return self.active().filter(start_date__lte=day, end_date__gte=day)


class AbsenceReport(models.Model):
    """What a guardian said about one child: an absence, a late arrival or an early
    departure. Several children reported in one step share a `batch`."""

    class Kind(models.TextChoices):
        DAYS = "days", _("Whole day or several days")
        PERIODS = "periods", _("Some periods")
        LATE_ARRIVAL = "late", _("Late arrival")
        EARLY_DEPARTURE = "early", _("Early departure")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE,
                                related_name="absence_reports", verbose_name=_("student"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("reported by"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    periods = models.JSONField(_("periods"), default=list, blank=True)
    # The expected arrival (late) or the departure (early), as the parent said.
    at_time = models.TimeField(_("time"), null=True, blank=True)
    # When the late child actually arrived, as the school recorded it.
    arrived_at = models.TimeField(_("actual arrival"), null=True, blank=True)
    picked_up_by = models.CharField(_("picked up by"), max_length=100, blank=True)
    reason = models.ForeignKey(Reason, on_delete=models.PROTECT, related_name="reports",
                               verbose_name=_("reason"))
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)
    # Made after the school's cut-off for its own day ("signalée en retard").
    late = models.BooleanField(_("reported late"), default=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded by the school"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("recorded by"))

    objects = AbsenceReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("absence report")
        verbose_name_plural = _("absence reports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["student", "start_date"]),
                   models.Index(fields=["-created_at"], name="absencereport_newest")]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")),
                                   name="absencereport_dates_in_order",
                                   violation_error_message=_(
                                       "The end date cannot come before the start date.")),
            models.CheckConstraint(
                condition=Q(kind__in=["days", "periods"]) | (
                    Q(start_date=F("end_date")) & Q(at_time__isnull=False)),
                name="absencereport_time_for_late_or_early",
                violation_error_message=_("A late arrival or an early departure is on one "
                                          "day and has a time.")),
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True) | Q(kind="late"),
                name="absencereport_arrival_only_when_late",
                violation_error_message=_("Only a late arrival has an arrival time.")),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {long_date(self.start_date)} {self.get_kind_display()}"


class SafeArrivalCheck(models.Model):
    """An elementary child absent at the safe-arrival time with no report: its guardians
    were emailed (once) and either one answered or the school must call."""

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE,
                                related_name="safe_arrival_checks", verbose_name=_("student"))
    date = models.DateField(_("date"))
    emailed_at = models.DateTimeField(_("emailed at"), default=timezone.now)
    emailed_to = models.PositiveSmallIntegerField(_("guardians emailed"), default=0)
    report = models.OneToOneField(AbsenceReport, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="safe_arrival_check",
                                  verbose_name=_("answer"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)

    class Meta:
        verbose_name = _("safe-arrival check")
        verbose_name_plural = _("safe-arrival checks")
        ordering = ["-date", "answered_at", "student__legal_last_name"]
        constraints = [
            models.UniqueConstraint(fields=["student", "date"],
                                    name="safearrivalcheck_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {long_date(self.date)}"
