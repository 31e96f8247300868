"""Accounts: security answers, the login ID sent at activation and on recovery."""

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from accounts import tasks
from accounts.models import User
from outbox.services import email_queue
from portail.celery import queue_after_commit
from portail.text import folded

ACTIVATED_LOGIN_ID_KEY = "activated_login_id"


def security_answer_hash(answer: str) -> str:
    return make_password(folded(answer))


def security_answer_set(*, user: User, question: str, answer: str) -> None:
    user.security_question = question
    user.security_answer = security_answer_hash(answer)
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


# Login-ID recovery and password reset: the page queues one task whatever was typed and
# answers at once; the worker looks the account up. Known and unknown inputs then cost the
# request the same (issue 15: nobody can tell from the answer's time that an account exists).

def login_id_recover_request(*, email: str) -> None:
    queue_after_commit(tasks.login_id_recover, email=email, language=translation.get_language())


def password_reset_request(*, login: str) -> None:
    queue_after_commit(tasks.password_reset_send, login=login, language=translation.get_language())
