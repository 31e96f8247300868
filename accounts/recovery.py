"""Login-ID recovery and password reset, in the worker (accounts/tasks.py): the page
queued one task whatever was typed and has answered; here the account is looked up."""

from urllib.parse import quote

from allauth.account import app_settings as account_settings
from allauth.account.utils import filter_users_by_email, user_pk_to_url_str
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from outbox.services import email_queue


def password_reset_tokens():
    """allauth's password-reset tokens, read at run time: allauth's forms module imports our
    sign-up form, which imports the accounts services that import this module."""
    return account_settings.PASSWORD_RESET_TOKEN_GENERATOR()


def site_url(path: str) -> str:
    """A page's address for an email written where there is no request (the worker)."""
    return settings.SITE_URL.rstrip("/") + path


def _unknown_account_tell(*, email: str, language: str) -> None:
    email_queue(recipient=email, template="account/unknown_account",
                context={"signup_url": site_url(reverse("accounts:signup"))}, language=language)


def login_id_recover(*, email: str, language: str) -> None:
    """Email the login ID(s) for this address, or say none uses it."""
    users = list(User.objects.filter(email__iexact=email, is_active=True))
    if not users:
        _unknown_account_tell(email=email, language=language)
    for user in users:
        email_queue(recipient=user.email, template="account/login_id",
                    context={"user": user, "login_url": site_url(reverse("account_login"))},
                    language=user.preferred_language)


def password_reset_send(*, login: str, language: str) -> None:
    """A reset link to the account an email or login ID names.

    An unknown email is told that no account uses it; an unknown login ID has no address
    to write to.
    """
    if "@" in login:
        users = filter_users_by_email(login, is_active=True, prefer_verified=True)
        if not users:
            _unknown_account_tell(email=login, language=language)
    else:
        users = list(User.objects.filter(username__iexact=login, is_active=True)
                     .exclude(email=""))
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    for user in users:
        key = f"{user_pk_to_url_str(user)}-{password_reset_tokens().make_token(user)}"
        link = site_url(path.replace("UID-KEY", quote(key)))
        email_queue(recipient=user.email, template="account/password_reset_key",
                    context={"user": user, "password_reset_url": link},
                    language=user.preferred_language)
