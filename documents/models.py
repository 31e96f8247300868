"""Report cards (data, rendered files) and the board's and schools' downloadable forms."""

import secrets
import uuid

from django.core.files.storage import storages
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from students.models import Course, Grade, School, SchoolYear, Student


def private_storage():
    """Report cards and uploaded forms: never served by URL, only through checked views."""
    return storages["private"]


def _report_card_path(instance, filename: str) -> str:
    # A random name: the path reveals neither the student nor the NISO.
    return f"report-cards/{secrets.token_hex(16)}.pdf"


def _form_path(instance, filename: str) -> str:
    return f"forms/{secrets.token_hex(16)}.pdf"


class ReportingPeriod(models.Model):
    """One report-card round of one school: the kind sets the marks each line needs."""

    class Kind(models.TextChoices):
        KINDERGARTEN = "kindergarten", _("Kindergarten communication of learning")
        ELEMENTARY_PROGRESS = "elementary_progress", _("Elementary progress report card")
        ELEMENTARY_PROVINCIAL = "elementary_provincial", _("Elementary provincial report card")
        SECONDARY_MIDTERM = "secondary_midterm", _("Secondary midterm report card")
        SECONDARY_FINAL = "secondary_final", _("Secondary final report card")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE,
                               related_name="reporting_periods", verbose_name=_("school"))
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT,
                                    related_name="reporting_periods",
                                    verbose_name=_("school year"))
    kind = models.CharField(_("kind"), max_length=25, choices=Kind.choices)
    # "Nom du rapport": part of the file name parents save.
    name = models.CharField(_("report name"), max_length=100,
                            help_text=_("As parents will see it, e.g. Bulletin de juin."))
    start_date = models.DateField(_("start date"),
                                  help_text=_("Attendance is counted from this day."))
    end_date = models.DateField(_("end date"), help_text=_("…to this day."))
    publication_date = models.DateField(_("publication date"),
                                        help_text=_("Parents see the report cards from this day."))
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["-publication_date", "school__name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "name"],
                                    name="reportingperiod_unique_name",
                                    violation_error_message=_(
                                        "This school already has a report of this name "
                                        "this year.")),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")),
                                   name="reportingperiod_dates_in_order",
                                   violation_error_message=_(
                                       "The end date must come after the start date.")),
            models.CheckConstraint(condition=Q(publication_date__gte=F("start_date")),
                                   name="reportingperiod_published_after_start",
                                   violation_error_message=_(
                                       "The publication date cannot come before the "
                                       "start date.")),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.school_year} — {self.school}"

    @property
    def is_secondary(self) -> bool:
        return self.kind in (self.Kind.SECONDARY_MIDTERM, self.Kind.SECONDARY_FINAL)


class LearningSkill(models.Model):
    """The learning skills and work habits a report card rates: board data."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_fr = models.CharField(_("French name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    french_language_only = models.BooleanField(
        _("French-language report cards only"), default=False,
        help_text=_("Utilisation du français oral: only on French-language report cards."))

    class Meta:
        verbose_name = _("learning skill")
        verbose_name_plural = _("learning skills")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name_fr


class ReportCard(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Being written")
        QUEUED = "queued", _("Waiting to be rendered")
        RENDERED = "rendered", _("Rendered")
        FAILED = "failed", _("Failed")
        INCOMPLETE = "incomplete", _("Missing marks or learning skills")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE,
                               related_name="report_cards", verbose_name=_("reporting period"))
    student = models.ForeignKey(Student, on_delete=models.CASCADE,
                                related_name="report_cards", verbose_name=_("student"))
    grade = models.SmallIntegerField(_("grade"), choices=Grade.choices)
    teacher_name = models.CharField(_("teacher"), max_length=200)
    principal_name = models.CharField(_("principal"), max_length=200)
    comments = models.TextField(_("general comments"), blank=True)
    # Counted from attendance when the card is rendered (documents.services).
    days_absent = models.PositiveSmallIntegerField(_("days absent"), null=True, blank=True,
                                                   editable=False)
    times_late = models.PositiveSmallIntegerField(_("times late"), null=True, blank=True,
                                                  editable=False)
    # The graduation section of the secondary final report.
    credits_earned_total = models.DecimalField(_("credits earned to date"), max_digits=4,
                                               decimal_places=1, null=True, blank=True)
    community_hours = models.PositiveSmallIntegerField(_("community involvement hours"),
                                                       null=True, blank=True)
    literacy_requirement_met = models.BooleanField(_("literacy requirement met"), null=True,
                                                   blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.DRAFT, editable=False)
    status_reason = models.TextField(_("reason"), blank=True, editable=False)

    class Meta:
        verbose_name = _("report card")
        verbose_name_plural = _("report cards")
        ordering = ["period", "student__legal_last_name", "student__legal_first_name"]
        constraints = [
            models.UniqueConstraint(fields=["period", "student"],
                                    name="reportcard_one_per_student_and_period",
                                    violation_error_message=_(
                                        "This student already has a report card for this "
                                        "period.")),
            models.CheckConstraint(
                condition=Q(credits_earned_total__isnull=True)
                | Q(credits_earned_total__gte=0, credits_earned_total__lte=99),
                name="reportcard_credits_range"),
        ]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self) -> str:
        return f"{self.student} — {self.period.name}"


class ReportCardLine(models.Model):
    """A subject (elementary) or a course (secondary) with what the kind and grade call for."""

    class Letter(models.TextChoices):
        A_PLUS = "A+", "A+"
        A = "A", "A"
        A_MINUS = "A-", "A-"
        B_PLUS = "B+", "B+"
        B = "B", "B"
        B_MINUS = "B-", "B-"
        C_PLUS = "C+", "C+"
        C = "C", "C"
        C_MINUS = "C-", "C-"
        D_PLUS = "D+", "D+"
        D = "D", "D"
        D_MINUS = "D-", "D-"
        R = "R", "R"
        INSUFFICIENT = "I", pgettext_lazy("report card mark", "I (insufficient evidence)")

    class Progress(models.TextChoices):
        VERY_WELL = "very_well", _("Progressing very well")
        WELL = "well", _("Progressing well")
        WITH_DIFFICULTY = "with_difficulty", _("Progressing with difficulty")

    class Credit(models.TextChoices):
        ONE = "1", "1"
        HALF = "0.5", "0,5"
        NONE = "0", "0"
        WITHDRAWN = "W", pgettext_lazy("credit earned", "W (withdrawn)")

    card = models.ForeignKey(ReportCard, on_delete=models.CASCADE, related_name="lines",
                             verbose_name=_("report card"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="report_card_lines", verbose_name=_("course"),
                               help_text=_("Secondary: the course; its code is printed."))
    subject = models.CharField(_("subject or course title"), max_length=200)
    progress = models.CharField(_("progress"), max_length=20, choices=Progress.choices,
                                blank=True)
    letter_grade = models.CharField(_("letter grade"), max_length=2, choices=Letter.choices,
                                    blank=True)
    percentage = models.PositiveSmallIntegerField(_("mark (%)"), null=True, blank=True)
    course_median = models.PositiveSmallIntegerField(_("course median (%)"), null=True,
                                                     blank=True)
    credit_earned = models.CharField(_("credit earned"), max_length=3, choices=Credit.choices,
                                     blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # Secondary: counted from attendance, and the teacher taken from the student's
    # timetable, when the card is rendered (documents.selectors.report_card_count).
    classes_missed = models.PositiveSmallIntegerField(_("classes missed"), null=True,
                                                      blank=True, editable=False)
    times_late = models.PositiveSmallIntegerField(_("times late"), null=True, blank=True,
                                                  editable=False)
    teacher_name = models.CharField(_("teacher"), max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("report card line")
        verbose_name_plural = _("report card lines")
        ordering = ["card", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(percentage__isnull=True) | Q(percentage__lte=100),
                                   name="reportcardline_percentage_range",
                                   violation_error_message=_("A mark is between 0 and 100.")),
            models.CheckConstraint(
                condition=Q(course_median__isnull=True) | Q(course_median__lte=100),
                name="reportcardline_median_range",
                violation_error_message=_("A median is between 0 and 100.")),
            models.CheckConstraint(
                condition=Q(letter_grade="") | Q(percentage__isnull=True),
                name="reportcardline_one_kind_of_mark",
                violation_error_message=_("Give a letter grade or a percentage, not both.")),
        ]

    def __str__(self) -> str:
        return self.subject


class LearningSkillRating(models.Model):
    """A learning skill's rating: for the whole card (elementary), or for one of its courses
    (secondary: `line`, each course rated on every skill)."""

    class Rating(models.TextChoices):
        EXCELLENT = "E", _("Excellent")
        GOOD = "G", _("Good")
        SATISFACTORY = "S", _("Satisfactory")
        NEEDS_IMPROVEMENT = "N", _("Needs improvement")

    card = models.ForeignKey(ReportCard, on_delete=models.CASCADE, related_name="skills",
                             verbose_name=_("report card"))
    line = models.ForeignKey(ReportCardLine, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="skills", verbose_name=_("course"))
    skill = models.ForeignKey(LearningSkill, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("learning skill"))
    rating = models.CharField(_("rating"), max_length=1, choices=Rating.choices)

    class Meta:
        verbose_name = _("learning skill rating")
        verbose_name_plural = _("learning skill ratings")
        ordering = ["card", "skill__order"]
        constraints = [
            models.UniqueConstraint(fields=["card", "skill"], condition=Q(line__isnull=True),
                                    name="learningskillrating_once",
                                    violation_error_message=_(
                                        "This learning skill is already rated on this report "
                                        "card.")),
            models.UniqueConstraint(fields=["line", "skill"], condition=Q(line__isnull=False),
                                    name="learningskillrating_once_per_course",
                                    violation_error_message=_(
                                        "This learning skill is already rated for this "
                                        "course.")),
        ]

    def __str__(self) -> str:
        return f"{self.skill}: {self.rating}"


class ReportCardFile(models.Model):
    """One rendering of a report card. A correction adds a version; parents see the latest,
    staff keep every one."""

    card = models.ForeignKey(ReportCard, on_delete=models.CASCADE, related_name="files",
                             verbose_name=_("report card"))
    version = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), storage=private_storage, upload_to=_report_card_path)
    size = models.PositiveIntegerField(_("size (bytes)"))
    # What was rendered (selectors.report_card_fingerprint): publishing again re-renders only
    # the cards whose content changed.
    fingerprint = models.CharField(_("content fingerprint"), max_length=64)
    created_at = models.DateTimeField(_("rendered"), auto_now_add=True)

    class Meta:
        verbose_name = _("report card file")
        verbose_name_plural = _("report card files")
        ordering = ["card", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["card", "version"], name="reportcardfile_version"),
            models.CheckConstraint(condition=Q(version__gte=1),
                                   name="reportcardfile_version_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.card} v{self.version}"

    @property
    def is_correction(self) -> bool:
        return self.version > 1


class BoardForm(models.Model):
    """A PDF form the board or a school puts under every child's Documents tab."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title_fr = models.CharField(_("French title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200)
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="board_forms", verbose_name=_("school"),
                               help_text=_("Leave empty for every school of the board."))
    file = models.FileField(_("PDF file"), storage=private_storage, upload_to=_form_path)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False, default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now=True)
    is_shown = models.BooleanField(_("shown to parents"), default=True)

    class Meta:
        verbose_name = _("downloadable form")
        verbose_name_plural = _("downloadable forms")
        ordering = ["title_fr"]

    def __str__(self) -> str:
        return self.title_fr
