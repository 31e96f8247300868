"""Diploma programmes as data (the board edits them) and what staff record per student.

A programme (DESO, CESO…) has requirement categories: a number of credits and the courses
that satisfy it, by code or code beginning (`patterns`) or through subject groups, of the
grades of its slots if it has any; a cap limits some courses across categories. Which
course counts where is decided by `diplomas.engine`, never stored.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Length, Replace
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from portail.text import in_reader_language
from students.models import Student

# A code or the beginning of one; "?" stands for any one character (M??3: Grade 11 math).
PATTERN = re.compile(r"^[A-Z0-9?]{1,6}\Z")
PATTERNS_HELP = _("Course codes or code beginnings, separated by spaces: FRA4U (one course), "
                  "FRA (every course whose code begins so), M??3 (? stands for any one "
                  "character).")


def split_patterns(text: str) -> list[str]:
    return text.upper().replace(",", " ").split()


def validate_patterns(text: str) -> None:
    wrong = [token for token in split_patterns(text) if not PATTERN.match(token)]
    if wrong:
        raise ValidationError(
            _("Not a course code or code beginning: %(tokens)s. Use capital letters, digits "
              "and ?, up to 6 characters."),
            params={"tokens": ", ".join(wrong)}, code="pattern")


def patterns_regex(patterns: list[str]) -> str:
    """A regular expression matching the course codes the patterns name (PostgreSQL and
    Python read it alike)."""
    return "^(" + "|".join(p.replace("?", ".") for p in patterns) + ")"


# Grade slots: groups of grades (a code's fourth character, 1 for Grade 9) separated by commas.
GRADE_SLOTS = re.compile(r"^[1-4]{1,4}(,[1-4]{1,4})*\Z")


def split_grade_slots(text: str) -> list[str]:
    return [slot.strip() for slot in text.split(",")] if text.strip() else []


def validate_grade_slots(text: str) -> None:
    slots = split_grade_slots(text)
    if slots and not (GRADE_SLOTS.match(",".join(slots))
                      and all(len(set(slot)) == len(slot) for slot in slots)):
        raise ValidationError(
            _("Not grade slots: %(value)s. Write each slot's grades as 1 (Grade 9) to 4 "
              "(Grade 12), slots separated by commas: 1,2,34."),
            params={"value": text}, code="grade_slots")


def _half_credits(field: str, name: str) -> models.CheckConstraint:
    # Credits come in halves: 0.5 (career studies, civics) or whole ones.
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gt": 0}) & Q(**{f"{field}__regex": r"^[0-9]+(\.0|\.5)?$"}),
        name=name, violation_error_message=_("Credits come in halves: 0.5, 1, 1.5…"))


class Bilingual:
    @property
    def name(self) -> str:
        return in_reader_language(self.name_fr, self.name_en)


class SubjectGroup(Bilingual, models.Model):
    """Subjects that satisfy a requirement together: the STEM group, Groups 1, 2 and 3."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name_fr = models.CharField(_("French name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    patterns = models.CharField(_("courses"), max_length=300, help_text=PATTERNS_HELP,
                                validators=[validate_patterns])

    class Meta:
        verbose_name = _("subject group")
        verbose_name_plural = _("subject groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_fr


class Programme(Bilingual, models.Model):
    class Kind(models.TextChoices):
        DIPLOMA = "diploma", _("Diploma (OSSD)")
        CERTIFICATE = "certificate", _("Certificate (OSSC)")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_fr = models.CharField(_("French name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # The default programme of a student who entered Grade 9 in one of these years.
    first_cohort = models.PositiveSmallIntegerField(
        _("first cohort"), null=True, blank=True,
        help_text=_("Year students entered Grade 9 (2024 for 2024-2025); empty: no limit."))
    last_cohort = models.PositiveSmallIntegerField(_("last cohort"), null=True, blank=True)
    is_default = models.BooleanField(
        _("default for its cohorts"), default=False,
        help_text=_("Given to the students of these cohorts whose programme staff have not "
                    "chosen."))
    total_credits = models.DecimalField(_("credits"), max_digits=4, decimal_places=1)
    community_hours = models.PositiveSmallIntegerField(_("community involvement hours"),
                                                       default=0)
    literacy_required = models.BooleanField(_("literacy requirement"), default=False)
    literacy_courses = models.CharField(
        _("literacy courses"), max_length=100, blank=True, validators=[validate_patterns],
        help_text=_("Courses that satisfy the literacy requirement instead of the OSSLT."))
    online_credits = models.PositiveSmallIntegerField(_("online learning credits"), default=0)
    financial_literacy_required = models.BooleanField(_("financial literacy component"),
                                                      default=False)

    class Meta:
        verbose_name = _("diploma programme")
        verbose_name_plural = _("diploma programmes")
        ordering = ["kind", "-first_cohort"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_cohort__isnull=True) | Q(last_cohort__isnull=True)
                | Q(last_cohort__gte=F("first_cohort")),
                name="programme_cohorts_in_order",
                violation_error_message=_("The last cohort cannot come before the first.")),
            _half_credits("total_credits", "programme_credits_in_halves"),
        ]

    def __str__(self) -> str:
        return self.name_fr

    def takes_cohort(self, year: int) -> bool:
        return ((self.first_cohort is None or self.first_cohort <= year)
                and (self.last_cohort is None or year <= self.last_cohort))


class Category(Bilingual, models.Model):
    """A requirement of a programme: so many credits from these courses."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE,
                                  related_name="categories", verbose_name=_("programme"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_fr = models.CharField(_("French name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    credits = models.DecimalField(_("credits"), max_digits=4, decimal_places=1)
    patterns = models.CharField(_("courses"), max_length=300, blank=True,
                                help_text=PATTERNS_HELP, validators=[validate_patterns])
    groups = models.ManyToManyField(SubjectGroup, blank=True, related_name="categories",
                                    verbose_name=_("subject groups"))
    any_course = models.BooleanField(_("any course"), default=False,
                                     help_text=_("Optional credits: every course counts."))
    grade_slots = models.CharField(
        _("grade slots"), max_length=20, blank=True, validators=[validate_grade_slots],
        help_text=_("One credit per slot, of the grades it names, separated by commas: 1 is "
                    "Grade 9, 4 Grade 12, 34 Grade 11 or 12. Mathematics: 1,2,34; Français: "
                    "1,2,3,4. Empty: credits of any grade."))

    class Meta:
        verbose_name = _("requirement category")
        verbose_name_plural = _("requirement categories")
        ordering = ["programme", "order", "pk"]
        constraints = [
            _half_credits("credits", "category_credits_in_halves"),
            models.CheckConstraint(
                condition=Q(grade_slots="") | (
                    Q(grade_slots__regex=GRADE_SLOTS.pattern)
                    & Q(credits=Length("grade_slots")
                        - Length(Replace("grade_slots", Value(","), Value(""))) + 1)),
                name="category_a_credit_per_grade_slot",
                violation_error_message=_("Give one grade slot per credit of the category.")),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} — {self.name_fr}"

    def clean(self) -> None:
        slots = split_grade_slots(self.grade_slots)
        if slots and self.credits is not None and len(slots) != self.credits:
            raise ValidationError({"grade_slots": ValidationError(
                _("%(slots)s grade slots for %(credits)s credits: give one slot per credit."),
                params={"slots": len(slots), "credits": floatformat(self.credits, -1)},
                code="slots")})

    def all_patterns(self) -> list[str]:
        """Its own patterns and its groups' (call with the groups prefetched)."""
        found = split_patterns(self.patterns)
        for group in self.groups.all():
            found += split_patterns(group.patterns)
        return found


class CategoryCap(Bilingual, models.Model):
    """At most so many credits of some courses count in some categories of a programme, all
    together: the DESO of 2023 and before counts at most 2 co-op credits and 2 language
    credits in Groups 1, 2 and 3."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="caps",
                                  verbose_name=_("programme"))
    name_fr = models.CharField(_("French name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    patterns = models.CharField(_("courses"), max_length=300, help_text=PATTERNS_HELP,
                                validators=[validate_patterns])
    credits = models.DecimalField(_("at most (credits)"), max_digits=4, decimal_places=1)
    categories = models.ManyToManyField(
        Category, blank=True, related_name="caps", verbose_name=_("in the categories"),
        help_text=_("The categories of the programme where these courses count at most so "
                    "many credits together."))

    class Meta:
        verbose_name = _("credit limit")
        verbose_name_plural = _("credit limits")
        ordering = ["programme", "pk"]
        constraints = [_half_credits("credits", "categorycap_credits_in_halves")]

    def __str__(self) -> str:
        return f"{self.programme.code} — {self.name_fr}"


class DiplomaRecord(models.Model):
    """What staff record of a student's way to the diploma besides the courses."""

    student = models.OneToOneField(Student, on_delete=models.CASCADE,
                                   related_name="diploma_record", verbose_name=_("student"))
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="records",
        verbose_name=_("programme"),
        help_text=_("Empty: the default programme of the year the student entered Grade 9."))
    community_hours = models.DecimalField(_("community involvement hours"), max_digits=5,
                                          decimal_places=1, default=0)
    literacy_test_passed_on = models.DateField(_("OSSLT passed on"), null=True, blank=True)
    online_opt_out = models.BooleanField(
        _("online learning opt-out"), default=False,
        help_text=_("The parents, or the adult student, opted out of the online credits."))
    financial_literacy_met = models.BooleanField(_("financial literacy component met"),
                                                 default=False)

    class Meta:
        verbose_name = _("diploma record")
        verbose_name_plural = _("diploma records")
        ordering = ["student__legal_last_name", "student__legal_first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(community_hours__gte=0, community_hours__lte=999),
                name="diplomarecord_hours_range",
                violation_error_message=_("Community hours are between 0 and 999.")),
        ]

    def __str__(self) -> str:
        return str(self.student)


class Waiver(models.Model):
    """Credits of a category a principal waived or substituted (a reason is required)."""

    record = models.ForeignKey(DiplomaRecord, on_delete=models.CASCADE,
                               related_name="waivers", verbose_name=_("diploma record"))
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("requirement category"))
    credits = models.DecimalField(_("credits"), max_digits=3, decimal_places=1)
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("waived credit")
        verbose_name_plural = _("waived credits")
        constraints = [
            models.UniqueConstraint(fields=["record", "category"], name="waiver_unique"),
            _half_credits("credits", "waiver_credits_in_halves"),
        ]

    def __str__(self) -> str:
        return f"{self.record} — {self.category.name_fr}"


class StoredProgress(models.Model):
    """A student's two Relevé de notes pages as data (transcript, classes, the engine's
    output), so that a visit reads one row. The database marks the row outdated in the
    same transaction as any write to what it shows (migration 0005's triggers bump
    `version`); it is fresh only while `computed_version` equals `version`."""

    student = models.OneToOneField(Student, on_delete=models.CASCADE, primary_key=True,
                                   related_name="+", verbose_name=_("student"))
    version = models.PositiveIntegerField(default=1)
    computed_version = models.PositiveIntegerField(null=True)
    data = models.JSONField(null=True)

    class Meta:
        verbose_name = _("stored diploma progress")
        verbose_name_plural = _("stored diploma progress")
        constraints = [
            models.CheckConstraint(
                condition=Q(computed_version__isnull=True, data__isnull=True)
                | Q(computed_version__lte=F("version"), data__isnull=False),
                name="storedprogress_computed_with_data"),
        ]

    def __str__(self) -> str:
        return str(self.student)
