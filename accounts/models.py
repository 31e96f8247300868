from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SecurityQuestion(models.TextChoices):
    FIRST_PET = "first_pet", _("What was the name of your first pet?")
    BIRTH_CITY = "birth_city", _("In what city were you born?")
    FIRST_SCHOOL = "first_school", _("What was the name of your first school?")
    CHILDHOOD_FRIEND = "childhood_friend", _("What was your best childhood friend's first name?")
    FIRST_JOB = "first_job", _("What was your first job?")
    STREET = "street", _("On what street did you grow up?")


class User(AbstractUser):
    """A portal account: a parent or guardian, or a member of staff.

    `username` is the login ID (identifiant de connexion), distinct from the email: the
    recovery flow emails it to a parent who forgot it.
    """

    username = models.CharField(
        _("login ID"),
        max_length=150,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        error_messages={"unique": _("A user with that login ID already exists.")},
    )
    email = models.EmailField(_("main email"), blank=True)
    preferred_name = models.CharField(
        _("display name"), max_length=100, blank=True,
        help_text=_("The name shown at the top right of the portal."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=settings.LANGUAGES, default="fr"
    )
    # Only the help desk uses it, to check a caller's identity; never a way to recover the
    # account (security questions are weak: ASVS 6.4.2). Stored hashed.
    security_question = models.CharField(
        _("security question"), max_length=30, choices=SecurityQuestion.choices, blank=True
    )
    security_answer = models.CharField(_("security answer"), max_length=256, blank=True,
                                       editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_unique_email_ci",
                violation_error_message=_("An account already uses this email."),
            ),
        ]

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.get_full_name() or self.username


class StaffProfile(models.Model):
    """The schools a member of staff works for; board-level staff see every school."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="staff_profile", verbose_name=_("user"))
    schools = models.ManyToManyField("students.School", blank=True, related_name="staff",
                                     verbose_name=_("schools"))
    board_level = models.BooleanField(
        _("board level"), default=False,
        help_text=_("Sees every school of the board (help desk, board administration)."),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return str(self.user)


class AuditEvent(models.Model):
    """Who did what to which record, with the values before and after. Never edited."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("who"))
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("record type"), max_length=60)
    object_id = models.CharField(_("record id"), max_length=40)
    object_repr = models.CharField(_("record"), max_length=200)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"
