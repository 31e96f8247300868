"""Accounts: security answers, the login ID sent at activation and on recovery."""

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from outbox.services import email_queue
from portail.text import folded

ACTIVATED_LOGIN_ID_KEY = "activated_login_id"


def security_answer_set(*, user: User, question: str, answer: str) -> None:
    user.security_question = question
    user.security_answer = make_password(folded(answer))
    user.save(update_fields=["security_question", "security_answer"])


def security_answer_matches(*, user: User, answer: str) -> bool:
    return bool(user.security_answer) and check_password(folded(answer), user.security_answer)


def account_activate(*, request: HttpRequest, email_address: EmailAddress) -> None:
    """The email is validated: email the login ID and show it on the next page."""
    user = email_address.user
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
