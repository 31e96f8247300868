"""Parent accounts: sign-up steps, access codes, security answers, login-ID recovery."""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AccessCode, User, hash_access_code
from outbox.services import email_queue
from portail.text import without_accents
from students.models import Guardian

SIGNUP_PROFILE_KEY = "signup_profile"
SIGNUP_ACCESS_CODE_KEY = "signup_access_code"
ACTIVATED_LOGIN_ID_KEY = "activated_login_id"
# No 0/O or 1/I/L: the code is read from paper and typed on a phone.
ACCESS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACCESS_CODE_LENGTH = 12
ACCESS_CODE_VALIDITY = timedelta(days=30)


def _fold(text: str) -> str:
    """Case, accents and spacing do not matter: "  Saint-Jérôme " == "saint-jerome"."""
    return " ".join(without_accents(text.casefold()).split())


def security_answer_set(*, user: User, question: str, answer: str) -> None:
    user.security_question = question
    user.security_answer = make_password(_fold(answer))
    user.save(update_fields=["security_question", "security_answer"])


def security_answer_matches(*, user: User, answer: str) -> bool:
    return bool(user.security_answer) and check_password(_fold(answer), user.security_answer)


def access_code_issue(*, guardian: Guardian, issued_by: User | None) -> tuple[AccessCode, str]:
    """A new one-time code for a guardian contact; the plain code is returned once."""
    code = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
    now = timezone.now()
    access_code = AccessCode.objects.create(
        guardian=guardian, code_hash=hash_access_code(code), created_by=issued_by,
        created_at=now, expires_at=now + ACCESS_CODE_VALIDITY,
    )
    return access_code, "-".join(code[i:i + 4] for i in range(0, ACCESS_CODE_LENGTH, 4))


def access_code_find(*, code: str, last_name: str) -> AccessCode | None:
    """The usable code matching the guardian's last name, or None (no hint which is wrong)."""
    access_code = (
        AccessCode.objects.usable().select_related("guardian")
        .filter(code_hash=hash_access_code(code), guardian__user__isnull=True)
        .first()
    )
    if access_code is None or _fold(access_code.guardian.last_name) != _fold(last_name):
        return None
    return access_code


def access_code_is_usable(code_id: int) -> bool:
    """Still unclaimed and unexpired: checked again at step 2, which may come much later."""
    return AccessCode.objects.usable().filter(pk=code_id).exists()


@transaction.atomic
def signup_complete(*, request: HttpRequest, user: User, security_question: str,
                    security_answer: str) -> None:
    """Step 2 saved the account: attach what step 1 gathered.

    A new parent becomes a guardian contact the school can link; an existing parent's
    code is claimed now and linked once the email is validated.
    """
    security_answer_set(user=user, question=security_question, answer=security_answer)
    code_id = request.session.pop(SIGNUP_ACCESS_CODE_KEY, None)
    profile = request.session.pop(SIGNUP_PROFILE_KEY, None)
    if code_id is not None:
        claimed = AccessCode.objects.usable().filter(pk=code_id).update(claimed_by=user)
        if not claimed:
            return
    elif profile is not None:
        Guardian.objects.create(user=user, email=user.email,
                                preferred_language=user.preferred_language, **profile)


def signup_names(request: HttpRequest) -> dict[str, str]:
    """First and last names for the account, from step 1 or from the school's record."""
    code_id = request.session.get(SIGNUP_ACCESS_CODE_KEY)
    if code_id is not None:
        guardian = Guardian.objects.filter(access_codes__pk=code_id).first()
        if guardian:
            return {"first_name": guardian.first_name, "last_name": guardian.last_name}
    profile = request.session.get(SIGNUP_PROFILE_KEY) or {}
    return {"first_name": profile.get("first_name", ""),
            "last_name": profile.get("last_name", "")}


@transaction.atomic
def account_activate(*, request: HttpRequest, email_address: EmailAddress) -> None:
    """The email is validated: link a claimed guardian contact and email the login ID."""
    user = email_address.user
    access_code = AccessCode.objects.filter(claimed_by=user, used_at__isnull=True).first()
    if access_code is not None:
        Guardian.objects.filter(pk=access_code.guardian_id, user__isnull=True).update(user=user)
        access_code.used_at = timezone.now()
        access_code.save(update_fields=["used_at"])
    request.session[ACTIVATED_LOGIN_ID_KEY] = user.username
    email_queue(
        recipient=email_address.email,
        template="account/login_id",
        context={"user": user, "login_url": request.build_absolute_uri(reverse("account_login"))},
        language=user.preferred_language,
        idempotency_key=f"account/login_id:activated:{user.pk}",
    )


def login_id_recover(*, request: HttpRequest, email: str) -> None:
    """Email the login ID(s) for this address; an unknown address gets the same page."""
    users = list(User.objects.filter(email__iexact=email, is_active=True))
    login_url = request.build_absolute_uri(reverse("account_login"))
    if not users:
        email_queue(
            recipient=email, template="account/unknown_account",
            context={"signup_url": request.build_absolute_uri(reverse("accounts:signup"))},
            language=translation.get_language(),
        )
    for user in users:
        email_queue(recipient=user.email, template="account/login_id",
                    context={"user": user, "login_url": login_url},
                    language=user.preferred_language)
