import hashlib
import hmac
import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portail.formats import (
    NISO_MESSAGE,
    NISO_STORED,
    PHONE_MESSAGE,
    PHONE_STORED,
    Address,
    NisoField,
    PhoneField,
    clock_time,
    format_niso,
    long_date,
    matches_or_blank,
)
from portail.text import in_reader_language


def _private_photo_path(instance, filename: str) -> str:
    # A random name: the file name reveals neither the student nor the NISO.
    return f"private/photos/{secrets.token_hex(16)}.jpg"


class Level(models.TextChoices):
    ELEMENTARY = "elementary", _("Elementary")
    SECONDARY = "secondary", _("Secondary")


class Grade(models.IntegerChoices):
    JUNIOR_KINDERGARTEN = -1, _("Junior kindergarten")
    SENIOR_KINDERGARTEN = 0, _("Senior kindergarten")
    GRADE_1 = 1, _("Grade 1")
    GRADE_2 = 2, _("Grade 2")
    GRADE_3 = 3, _("Grade 3")
    GRADE_4 = 4, _("Grade 4")
    GRADE_5 = 5, _("Grade 5")
    GRADE_6 = 6, _("Grade 6")
    GRADE_7 = 7, _("Grade 7")
    GRADE_8 = 8, _("Grade 8")
    GRADE_9 = 9, _("Grade 9")
    GRADE_10 = 10, _("Grade 10")
    GRADE_11 = 11, _("Grade 11")
    GRADE_12 = 12, _("Grade 12")


def _date_order(start: str, end: str, name: str, message) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": F(start)}),
        name=name,
        violation_error_message=message,
    )


class School(Address):
    ministry_number = models.CharField(
        _("ministry school number"), max_length=6, unique=True,
        help_text=_("The school's six-digit ministry number (BSID)."),
    )
    code = models.CharField(
        _("school code"), max_length=10, unique=True,
        help_text=_("The board's short code, used in secondary report-card file names."),
    )
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    phone = PhoneField(_("phone"), blank=True)
    principal_name = models.CharField(_("principal"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        constraints = [
            *Address.Meta.constraints,
            models.CheckConstraint(
                condition=Q(ministry_number__regex=r"^[0-9]{6}\Z"),
                name="school_ministry_number_format",
                violation_error_message=_("The ministry number has six digits."),
            ),
            models.CheckConstraint(
                condition=matches_or_blank("phone", PHONE_STORED),
                name="school_phone_format",
                violation_error_message=PHONE_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SchoolYear(models.Model):
    name = models.CharField(_("name"), max_length=9, unique=True, help_text="2026-2027")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")),
                name="schoolyear_dates_in_order",
                violation_error_message=_("The end date must come after the start date."),
            ),
            models.CheckConstraint(
                condition=Q(name__regex=r"^[0-9]{4}-[0-9]{4}\Z"),
                name="schoolyear_name_format",
                violation_error_message=_("Write the school year as 2026-2027."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


# The usual term codes are a fixed list: parents read them in the page's language. A term
# with another code keeps the name the school typed.
FULL_YEAR_CODE = "AN"
STANDARD_TERM_NAMES = {
    FULL_YEAR_CODE: _("School year"),
    "S1": _("Semester 1"), "S2": _("Semester 2"),
    "Q1": _("Quadmester 1"), "Q2": _("Quadmester 2"),
    "Q3": _("Quadmester 3"), "Q4": _("Quadmester 4"),
}


def _term_code(code: str) -> str:
    """A term's code as the usual codes are written, whatever the school typed ("an ")."""
    return code.strip().upper()


def term_label(code: str, name: str) -> str:
    """A term's name for parents: the usual codes' names in the reader's language."""
    standard = STANDARD_TERM_NAMES.get(_term_code(code))
    return str(standard) if standard is not None else name


class Term(models.Model):
    """A period of a school's year: a semester, a quadmester, or the full year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="terms",
                               verbose_name=_("school"))
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="terms",
                                    verbose_name=_("school year"))
    code = models.CharField(_("code"), max_length=10, help_text="S1, S2, Q1, AN")
    name = models.CharField(_("name"), max_length=100, help_text=_(
        "Parents read the usual codes (S1, S2, Q1 to Q4, AN) in their own language; the "
        "name is shown for another code."))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["school_year", "school", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "code"],
                                    name="term_unique_code_per_school_year"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="term_dates_in_order",
                violation_error_message=_("The end date must come after the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.school_year}, {self.school.code})"

    @property
    def label(self) -> str:
        return term_label(self.code, self.name)

    @property
    def is_full_year(self) -> bool:
        """The full-year term (AN), however the school typed its code."""
        return _term_code(self.code) == FULL_YEAR_CODE


class Student(Address):
    class Gender(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        OTHER = "X", _("Another gender")

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        ENGLISH = "en", _("English")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PREREGISTERED = "preregistered", _("Pre-registered")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        GRADUATED = "graduated", _("Graduated")

    # The only identifier that ever appears in a URL: random, not the NISO, not the key.
    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True,
                                 editable=False)
    niso = NisoField(_("OEN"), unique=True,
                     help_text=_("Ontario Education Number: 9 digits."))
    legal_first_name = models.CharField(_("legal first name"), max_length=100)
    legal_last_name = models.CharField(_("legal last name"), max_length=100)
    preferred_first_name = models.CharField(_("preferred first name"), max_length=100,
                                            blank=True)
    preferred_last_name = models.CharField(_("preferred last name"), max_length=100,
                                           blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices,
                                default=Language.FRENCH)
    photo = models.ImageField(_("photo"), upload_to=_private_photo_path, blank=True)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="students",
                               verbose_name=_("school"))
    grade = models.SmallIntegerField(_("grade"), choices=Grade.choices)
    homeroom = models.CharField(_("homeroom"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices,
                              default=Status.ACTIVE)

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["legal_last_name", "legal_first_name"]
        indexes = [models.Index(fields=["legal_last_name", "legal_first_name"])]
        constraints = [
            *Address.Meta.constraints,
            models.CheckConstraint(
                condition=Q(niso__regex=NISO_STORED),
                name="student_niso_format",
                violation_error_message=NISO_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(grade__gte=Grade.JUNIOR_KINDERGARTEN, grade__lte=Grade.GRADE_12),
                name="student_grade_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    @staticmethod
    def name_shown(preferred: str, legal: str) -> str:
        """The name the portal shows: the preferred one when the school recorded it."""
        return preferred or legal

    @property
    def first_name(self) -> str:
        return self.name_shown(self.preferred_first_name, self.legal_first_name)

    @property
    def last_name(self) -> str:
        return self.name_shown(self.preferred_last_name, self.legal_last_name)

    @property
    def niso_display(self) -> str:
        return format_niso(self.niso)

    def get_grade_display(self) -> str:
        # Django's builds a dict of every grade's label on each call (about 40 µs); most
        # parent pages show the grade, some for every child.
        return str(Grade(self.grade).label)

    @property
    def is_secondary(self) -> bool:
        """Grades 9 to 12: the students with a transcript and a diploma to work toward."""
        return self.grade >= Grade.GRADE_9




class Guardian(Address):
    """A parent or guardian contact: exists with or without a portal account."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    primary_phone = PhoneField(_("main phone number"), blank=True)
    cell_phone = PhoneField(_("cell phone"), blank=True)
    work_phone = PhoneField(_("work phone"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=settings.LANGUAGES, default="fr"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="guardian", verbose_name=_("portal account"),
    )
    students = models.ManyToManyField(Student, through="StudentGuardian",
                                      related_name="guardians", verbose_name=_("students"))

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["last_name", "first_name"])]
        constraints = [
            *Address.Meta.constraints,
            *(
                models.CheckConstraint(
                    condition=matches_or_blank(field, PHONE_STORED),
                    name=f"guardian_{field}_format",
                    violation_error_message=PHONE_MESSAGE,
                )
                for field in ("primary_phone", "cell_phone", "work_phone")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}"


def hash_access_code(code: str) -> str:
    """Codes are random and long, so a keyed SHA-256 is enough (and allows a lookup)."""
    normalized = "".join(code.split()).replace("-", "").upper()
    return hmac.new(settings.SECRET_KEY.encode(), normalized.encode(), hashlib.sha256).hexdigest()


class AccessCodeQuerySet(models.QuerySet):
    def usable(self, *, now=None) -> "AccessCodeQuerySet":
        """Codes a parent can still sign up with: not claimed by an account, not used (the
        account that used one may be deleted since, which unsets `claimed_by`), not expired."""
        return self.filter(claimed_by__isnull=True, used_at__isnull=True,
                           expires_at__gt=now or timezone.now())


class AccessCode(models.Model):
    """A one-time code a school gives an existing guardian contact to create an account.

    Only its hash is stored: the code is shown once, on the letter or in the email.
    """

    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE,
                                 related_name="access_codes", verbose_name=_("guardian"))
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("issued by"))
    expires_at = models.DateTimeField(_("expires"))
    # Set at sign-up; the guardian is linked once the account's email is validated.
    claimed_by = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                      null=True, blank=True, related_name="access_code",
                                      verbose_name=_("claimed by"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    objects = AccessCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("access code")
        verbose_name_plural = _("access codes")
        ordering = ["-created_at"]
        # The table of the accounts app, where access codes started.
        db_table = "accounts_accesscode"
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("created_at")),
                                   name="accesscode_expires_after_issue"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} ({long_date(timezone.localdate(self.created_at))})"


class StudentGuardian(models.Model):
    """The link between a student and a guardian, and what it allows on the portal."""

    class Relationship(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        PARENT = "parent", _("Parent")
        STEPPARENT = "stepparent", _("Stepparent")
        GRANDPARENT = "grandparent", _("Grandparent")
        GUARDIAN = "guardian", _("Legal guardian")
        OTHER = "other", _("Other")

    student = models.ForeignKey(Student, on_delete=models.CASCADE,
                                related_name="guardian_links", verbose_name=_("student"))
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE,
                                 related_name="student_links", verbose_name=_("guardian"))
    relationship = models.CharField(_("relationship"), max_length=15,
                                    choices=Relationship.choices)
    # Nothing that shows the student on the portal is on by default (a step-parent added
    # without a second look got custody): the secretary ticks it from the school's record.
    has_custody = models.BooleanField(
        _("has custody"), default=False,
        help_text=_("Portal: with custody, the guardian sees the student once their account "
                    "is active. Tick it only when the school's record shows custody."),
    )
    has_access_rights = models.BooleanField(
        _("has access rights"), default=False,
        help_text=_("Portal: a non-custodial parent with the right to see the student's "
                    "record sees the student too."),
    )
    may_report_absences = models.BooleanField(
        _("may report absences"), default=False,
        help_text=_("For a guardian without custody: the school's permission to report "
                    "the student's absences on the portal."),
    )
    lives_with = models.BooleanField(_("lives with the student"), default=True,
                                     help_text=_("For the school only: shows nothing on "
                                                 "the portal."))
    emergency_contact = models.BooleanField(_("emergency contact"), default=False,
                                            help_text=_("For the school only: shows nothing "
                                                        "on the portal."))
    contact_order = models.PositiveSmallIntegerField(_("contact order"), default=1)
    portal_access = models.BooleanField(
        _("portal access"), default=True,
        help_text=_("Portal: untick it to keep the guardian from seeing the student whatever "
                    "the custody (a court order, for example) and give the reason. Ticked, "
                    "it shows nothing alone: custody or access rights are needed."),
    )
    portal_access_off_reason = models.CharField(
        _("reason portal access is off"), max_length=200, blank=True,
        help_text=_("Required when portal access is off, for example a court order."),
    )
    adult_consent_date = models.DateField(
        _("adult student's consent"), null=True, blank=True,
        help_text=_("Portal: the date the student, aged 18 or more, agreed to this "
                    "guardian's access; without it, the guardian no longer sees them."),
    )

    class Meta:
        verbose_name = _("student–guardian link")
        verbose_name_plural = _("student–guardian links")
        ordering = ["contact_order", "guardian__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["student", "guardian"],
                                    name="studentguardian_unique_pair"),
            models.CheckConstraint(
                condition=Q(portal_access=True) | ~Q(portal_access_off_reason=""),
                name="studentguardian_access_off_has_reason",
                violation_error_message=_("Give the reason portal access is turned off."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.student}"

    def clean(self) -> None:
        # The leave adds reporting to what the guardian sees: with neither custody nor
        # access rights they see no student, and the ticked box would do nothing.
        if self.may_report_absences and not (self.has_custody or self.has_access_rights):
            raise ValidationError({"may_report_absences": _(
                "Tick custody or access rights first: without either, the guardian does "
                "not see the student and cannot report absences.")})


class Enrolment(models.Model):
    """One stay of a student in one of the board's schools (the Adhésion history)."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="enrolments",
                                verbose_name=_("student"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="enrolments",
                               verbose_name=_("school"))
    grade = models.SmallIntegerField(_("grade"), choices=Grade.choices)
    entry_date = models.DateField(_("entry date"))
    entry_reason = models.CharField(_("entry reason"), max_length=200, blank=True)
    withdrawal_date = models.DateField(_("withdrawal date"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("withdrawal reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-entry_date"]
        constraints = [
            _date_order("entry_date", "withdrawal_date", "enrolment_dates_in_order",
                        _("The withdrawal date cannot come before the entry date.")),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.school} ({long_date(self.entry_date)})"


class AttendanceCode(models.Model):
    """The board's attendance codes: a table, since each board has its own."""

    class Kind(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        LATE = "late", _("Late")
        SCHOOL_ACTIVITY = "activity", _("School activity")

    code = models.CharField(_("code"), max_length=10, unique=True)
    label_fr = models.CharField(_("French label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    excused = models.BooleanField(_("known reason"), default=False)

    class Meta:
        verbose_name = _("attendance code")
        verbose_name_plural = _("attendance codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.label_fr}"


class AttendanceRecord(models.Model):
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="attendance",
                                verbose_name=_("student"))
    date = models.DateField(_("date"))
    # Empty for a full day; otherwise the period of the day.
    period = models.PositiveSmallIntegerField(_("period"), null=True, blank=True,
                                              help_text=_("Leave empty for a full day."))
    code = models.ForeignKey(AttendanceCode, on_delete=models.PROTECT,
                             verbose_name=_("code"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    minutes_late = models.PositiveSmallIntegerField(_("minutes late"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        ordering = ["-date", "period"]
        indexes = [models.Index(fields=["student", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "date"], condition=Q(period__isnull=True),
                name="attendance_one_full_day_record",
                violation_error_message=_("This student already has a record for this day."),
            ),
            models.UniqueConstraint(
                fields=["student", "date", "period"], condition=Q(period__isnull=False),
                name="attendance_one_record_per_period",
                violation_error_message=_(
                    "This student already has a record for this period of this day."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {long_date(self.date)} {self.code.code}"


class Course(models.Model):
    # Ministry course code (FRA4U, MTH1W) with an optional sixth character from the school.
    code = models.CharField(_("course code"), max_length=6, unique=True)
    title_fr = models.CharField(_("French title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200)
    credit_value = models.DecimalField(_("credit value"), max_digits=3, decimal_places=1,
                                       default=1)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z0-9]{3,6}\Z"),
                name="course_code_format",
                violation_error_message=_("A course code has 3 to 6 capital letters or digits."),
            ),
            models.CheckConstraint(
                condition=Q(credit_value__gte=0, credit_value__lte=4),
                name="course_credit_value_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title_fr}"

    @property
    def title(self) -> str:
        """In the reader's language."""
        return in_reader_language(self.title_fr, self.title_en)


class Section(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sections",
                               verbose_name=_("course"))
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="sections",
                               verbose_name=_("school"))
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="sections",
                             verbose_name=_("term"))
    section_number = models.CharField(_("section"), max_length=10)
    teacher_name = models.CharField(_("teacher"), max_length=200, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)
    students = models.ManyToManyField(Student, through="SectionEnrolment",
                                      related_name="sections", verbose_name=_("students"))

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["course__code", "section_number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "term", "section_number"],
                                    name="section_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.course.code}-{self.section_number}"


class Meeting(models.Model):
    class Day(models.IntegerChoices):
        MONDAY = 1, _("Monday")
        TUESDAY = 2, _("Tuesday")
        WEDNESDAY = 3, _("Wednesday")
        THURSDAY = 4, _("Thursday")
        FRIDAY = 5, _("Friday")

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="meetings",
                                verbose_name=_("section"))
    day = models.PositiveSmallIntegerField(_("day"), choices=Day.choices)
    period = models.PositiveSmallIntegerField(_("period"))
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    room = models.CharField(_("room"), max_length=20, blank=True,
                            help_text=_("Leave empty to use the section's room."))

    class Meta:
        verbose_name = _("class meeting")
        verbose_name_plural = _("class meetings")
        ordering = ["day", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="meeting_times_in_order",
                violation_error_message=_("The end time must come after the start time."),
            ),
            models.CheckConstraint(condition=Q(day__gte=1, day__lte=5), name="meeting_day_range"),
        ]

    def __str__(self) -> str:
        return f"{self.section} {self.get_day_display()} {clock_time(self.start_time)}"


class SectionEnrolment(models.Model):
    student = models.ForeignKey(Student, on_delete=models.CASCADE,
                                related_name="section_enrolments", verbose_name=_("student"))
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="enrolments",
                                verbose_name=_("section"))

    class Meta:
        verbose_name = _("section enrolment")
        verbose_name_plural = _("section enrolments")
        constraints = [
            models.UniqueConstraint(fields=["student", "section"],
                                    name="sectionenrolment_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.section}"


class CourseResult(models.Model):
    """A line of the student's transcript (Relevé de notes de l'Ontario)."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="results",
                                verbose_name=_("student"))
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="results",
                               verbose_name=_("course"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="results",
                               verbose_name=_("school"))
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT,
                                    related_name="results", verbose_name=_("school year"))
    class Kind(models.TextChoices):
        COURSE = "course", _("Course taken")
        # Credits a principal grants on arrival from outside Ontario's schools (PLAR).
        EQUIVALENCY = "equivalency", _("Equivalent credit (PLAR)")
        CHALLENGE = "challenge", _("Challenge credit (PLAR)")

    kind = models.CharField(_("kind of result"), max_length=12, choices=Kind.choices,
                            default=Kind.COURSE)
    completion_date = models.DateField(_("completion date"), null=True, blank=True)
    mark = models.PositiveSmallIntegerField(_("mark (%)"), null=True, blank=True)
    credit_earned = models.DecimalField(_("credit earned"), max_digits=3, decimal_places=1,
                                        default=0)
    withdrawn = models.BooleanField(_("withdrawn (W)"), default=False)
    online = models.BooleanField(_("online course"), default=False,
                                 help_text=_("Counts toward the online learning credits."))

    class Meta:
        verbose_name = _("course result")
        verbose_name_plural = _("course results")
        ordering = ["school_year__start_date", "course__code"]
        constraints = [
            models.CheckConstraint(condition=Q(mark__isnull=True) | Q(mark__lte=100),
                                   name="courseresult_mark_range",
                                   violation_error_message=_("A mark is between 0 and 100.")),
            models.CheckConstraint(
                condition=Q(credit_earned__in=[0, Decimal("0.5"), 1]),
                name="courseresult_credit_values",
                violation_error_message=_("A credit earned is 0, 0.5 or 1."),
            ),
            models.CheckConstraint(condition=Q(withdrawn=False) | Q(credit_earned=0),
                                   name="courseresult_withdrawn_no_credit",
                                   violation_error_message=_(
                                       "A withdrawn course earns no credit.")),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.course.code} ({self.school_year})"


class TimetablePublication(models.Model):
    """A school's timetable for a year is shown to parents from this date on."""

    school = models.ForeignKey(School, on_delete=models.CASCADE,
                               related_name="timetable_publications", verbose_name=_("school"))
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE,
                                    related_name="timetable_publications",
                                    verbose_name=_("school year"))
    published_on = models.DateField(_("shown to parents from"))

    class Meta:
        verbose_name = _("timetable publication")
        verbose_name_plural = _("timetable publications")
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"],
                                    name="timetablepublication_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.school} — {self.school_year}"


def _calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A parent's private iCalendar link for one child's timetable; revoked by deleting it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="calendar_feeds", verbose_name=_("user"))
    student = models.ForeignKey(Student, on_delete=models.CASCADE,
                                related_name="calendar_feeds", verbose_name=_("student"))
    token = models.CharField(max_length=64, unique=True, default=_calendar_token,
                             editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")
        constraints = [
            models.UniqueConstraint(fields=["user", "student"], name="calendarfeed_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.student}"


class ParentForm(models.Model):
    """A consent or acknowledgement form staff put before parents (Formulaires parents).

    It applies to the whole board, or to one school, and optionally to one grade.
    """

    class Kind(models.TextChoices):
        CONSENT = "consent", _("Consent (yes or no)")
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")

    title_fr = models.CharField(_("French title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200)
    body_fr = models.TextField(_("French text"))
    body_en = models.TextField(_("English text"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT,
                                    related_name="parent_forms", verbose_name=_("school year"))
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="parent_forms", verbose_name=_("school"),
                               help_text=_("Leave empty for every school of the board."))
    grade = models.SmallIntegerField(_("grade"), choices=Grade.choices, null=True, blank=True,
                                     help_text=_("Leave empty for every grade."))
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    is_open = models.BooleanField(_("open for answers"), default=True)

    class Meta:
        verbose_name = _("parent form")
        verbose_name_plural = _("parent forms")
        ordering = ["title_fr"]

    def __str__(self) -> str:
        return self.title_fr


class ParentFormResponse(models.Model):
    """One answer per form and child, signed with the parent's name and time-stamped."""

    form = models.ForeignKey(ParentForm, on_delete=models.CASCADE, related_name="responses",
                             verbose_name=_("form"))
    student = models.ForeignKey(Student, on_delete=models.CASCADE,
                                related_name="form_responses", verbose_name=_("student"))
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="form_responses",
                                    verbose_name=_("answered by"))
    accepted = models.BooleanField(_("consent given"))
    signature = models.CharField(_("signature (full name)"), max_length=200)
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("parent form answer")
        verbose_name_plural = _("parent form answers")
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["form", "student"],
                                    name="parentformresponse_once_per_child"),
        ]

    def __str__(self) -> str:
        return f"{self.form} — {self.student}"


class ImportJob(models.Model):
    """A start-of-year import file, checked then (once confirmed) imported by a Celery task.

    The file's text is kept here until imported (the task takes the id); its SHA-256 ties
    the confirmation to the file the preview showed. The scope is its author's schools at
    the time of each run. A RUNNING job whose heartbeat is older than the lease was
    interrupted: its transaction was rolled back.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        CHECKED = "checked", _("Checked")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    kind = models.CharField(_("kind of file"), max_length=20)
    file_name = models.CharField(_("file name"), max_length=200)
    language = models.CharField(_("language"), max_length=8)
    content = models.TextField(_("content"), blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    heartbeat = models.DateTimeField(_("heartbeat"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    update_count = models.PositiveIntegerField(_("updated"), default=0)
    error_count = models.PositiveIntegerField(_("with errors"), default=0)
    # [line, "new" | "update" | "error", summary, [problems]] of the rows the page lists.
    rows = models.JSONField(_("rows listed"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"
