from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


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
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=settings.LANGUAGES, default="fr"
    )

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
        return self.get_full_name() or self.username
