"""Sessions: a new one at login, ended on the server at logout, after 30 minutes idle and
12 hours after login whatever happens."""

import datetime
from importlib import import_module

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def log_in(client, user):
    response = client.post(reverse("account_login"),
                           {"login": user.username, "password": factories.PASSWORD})
    assert response["Location"] == reverse("home")


def is_logged_in(client) -> bool:
    response = client.get(reverse("home"))
    return response.status_code == 200


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_login_starts_a_new_session(client, family):
    client.get(reverse("account_login"))
    client.session["before_login"] = True  # an anonymous session with a key
    session = client.session
    session.save()
    before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before

    log_in(client, family.user)

    assert session_key(client) != before
    assert not SessionStore().exists(before)


def test_logout_ends_the_session_on_the_server(client, family):
    log_in(client, family.user)
    key = session_key(client)

    response = client.post(reverse("account_logout"))

    assert response["Location"] == reverse("account_login")
    assert not SessionStore().exists(key)
    # The old cookie, replayed, is worth nothing.
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    assert not is_logged_in(client)


def test_thirty_minutes_without_a_request_end_the_session(client, family):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        log_in(client, family.user)
        key = session_key(client)
    with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
        assert is_logged_in(client)
    # Activity pushes the limit back.
    with time_machine.travel(start + datetime.timedelta(minutes=58), tick=False):
        assert is_logged_in(client)
    with time_machine.travel(start + datetime.timedelta(minutes=89), tick=False):
        response = client.get(reverse("home"))
        assert response["Location"] == f"{reverse('account_login')}?next=/"
        assert not SessionStore().exists(key)
        assert not is_logged_in(client)


def test_twelve_hours_after_login_the_session_ends_even_when_busy(client, family):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        log_in(client, family.user)
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert is_logged_in(client), f"logged out after {minutes} minutes"
    with time_machine.travel(start + datetime.timedelta(hours=12, minutes=1), tick=False):
        assert not is_logged_in(client)


def test_the_session_cookie_lasts_as_long_as_the_browser(client, family):
    log_in(client, family.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
