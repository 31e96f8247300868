"""Helpers for the account tests: emails delivered at commit, sign-up steps.

French strings and pages come from tests.pages."""

import re
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.core import mail
from django.urls import reverse

from portail.celery import app as celery_app

CSRF_INPUT = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">')

PROFILE = {
    "first_name": "Amélie",
    "last_name": "Tremblay",
    "street": "12, rue des Érables",
    "city": "Orléans",
    "province": "ON",
    "postal_code": "k1c2n4",
    "primary_phone": "(613) 555-0123",
}
NEW_PASSWORD = "Quatre chevaux dansent sous la pluie"

TOO_LONG = ("Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).")


def page_text(response) -> str:
    """The page without its CSRF token: two answers can then be compared byte for byte."""
    return CSRF_INPUT.sub("", response.content.decode())


def link_in(message, path_prefix: str) -> str:
    """The first link in the email's text whose path starts with path_prefix."""
    found = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}\S*)", message.body)
    assert found, f"no link to {path_prefix} in:\n{message.body}"
    return found.group(1)


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


@pytest.fixture
def sending(monkeypatch, django_capture_on_commit_callbacks
            ) -> Callable[[], AbstractContextManager]:
    """`with sending(): client.post(...)`: the emails queued by the request are sent.

    The outbox sends after commit; as in the embedded default, Celery runs in process
    (even when REDIS_URL is set, as in CI) and Django's test backend keeps the messages.
    """
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def signup_step_two(client):
    """A client that has filled in step 1 as a new parent."""
    def start(**changes):
        response = client.post(reverse("accounts:signup_profile"), {**PROFILE, **changes})
        assert response.status_code == 302, response.content.decode()
        return client
    return start


def account_data(email: str = "amelie@example.com", **changes) -> dict:
    return {
        "email": email,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "security_question": "first_pet",
        "security_answer": "Pompon",
        **changes,
    }
