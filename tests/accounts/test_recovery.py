"""Initialisation d'un nouveau mot de passe: the login ID by email, the password by a link.

Known and unknown addresses get the same page; the parent's other sessions end after a
reset, and an email says the password changed.
"""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import lockouts
from tests import factories
from tests.accounts.conftest import NEW_PASSWORD, emails_to, link_in, page_text
from tests.pages import french, html_of
from tests.signin import wrong_passwords

pytestmark = pytest.mark.django_db

RESET_PREFIX = "/comptes/password/reset/key/"


def test_recovery_offers_the_guides_two_choices(client):
    html = html_of(client.get(reverse("accounts:recovery")))

    assert f"<h1>{french('Set up a new password')}</h1>" in html
    assert f'<a class="choices__link" href="{reverse("accounts:recover_login_id")}">' \
           f'{french("Recover your login ID")}</a>' in html
    assert f'<a class="choices__link" href="{reverse("account_reset_password")}">' \
           f'{french("Reset your password (Portail Famille)")}</a>' in html


# The login ID ----------------------------------------------------------------------------

def recover_login_id(client, sending, email: str):
    with sending():
        return client.post(reverse("accounts:recover_login_id"), {"email": email})


def test_the_login_id_is_emailed(client, sending, family):
    response = recover_login_id(client, sending, "Alice.Tremblay@example.com")

    assert french("Check your email") in html_of(response)
    [message] = emails_to(family.user.email)
    assert message.subject == french("Your Portail Famille login ID")
    assert "alice.tremblay" in message.body
    assert reverse("account_login") in message.body


def test_known_and_unknown_addresses_get_the_same_page(client, sending, family):
    known = page_text(recover_login_id(client, sending, family.user.email))
    unknown = page_text(recover_login_id(client, sending, "personne@example.com"))

    assert known.replace(family.user.email, "ADDRESS") == \
        unknown.replace("personne@example.com", "ADDRESS")
    # The unknown address is told, in its own mailbox, that no account uses it.
    [message] = emails_to("personne@example.com")
    assert "alice.tremblay" not in message.body
    assert reverse("accounts:signup") in message.body


def test_a_malformed_address_is_refused_beside_the_field(client, sending):
    html = html_of(recover_login_id(client, sending, "pas-une-adresse"))
    assert re.search(r'<ul class="errorlist" id="id_email_error"><li>'
                     + re.escape(french("Enter a valid email address.")), html)
    assert mail.outbox == []


def test_login_id_emails_are_limited_per_address_silently(client, sending, family):
    pages = {page_text(recover_login_id(client, sending, family.user.email)) for _ in range(4)}

    assert len(pages) == 1
    assert len(emails_to(family.user.email)) == 3


# The password ----------------------------------------------------------------------------

def ask_reset(client, sending, typed: str):
    with sending():
        return client.post(reverse("account_reset_password"), {"email": typed})


@pytest.mark.parametrize("typed", ["alice.tremblay@example.com", "ALICE.TREMBLAY"])
def test_a_reset_link_is_emailed_for_an_email_or_a_login_id(client, sending, family, typed):
    response = ask_reset(client, sending, typed)

    assert response["Location"] == reverse("account_reset_password_done")
    [message] = emails_to(family.user.email)
    assert message.subject == french("Reset your Portail Famille password")
    assert RESET_PREFIX in message.body
    assert "alice.tremblay" in message.body


@pytest.mark.parametrize("unknown", ["personne@example.com", "personne"])
def test_reset_answers_the_same_for_known_and_unknown(client, sending, family, unknown):
    known = ask_reset(client, sending, "alice.tremblay")
    other = ask_reset(client, sending, unknown)

    assert known["Location"] == other["Location"]
    assert page_text(client.get(known["Location"])) == page_text(client.get(other["Location"]))


def test_reset_page_has_the_guides_title(client):
    html = html_of(client.get(reverse("account_reset_password")))
    assert f"<h1>{french('Reset your password (Portail Famille)')}</h1>" in html
    assert f'<label class="field__label" for="id_email">' \
           f'{french("Email or login ID")}</label>' in html


@pytest.fixture
def reset_link(client, sending, family):
    ask_reset(client, sending, "alice.tremblay")
    [message] = emails_to(family.user.email)
    mail.outbox.clear()
    return link_in(message, RESET_PREFIX)


def set_new_password(client, sending, link: str, password: str = NEW_PASSWORD):
    form_url = client.get(link)["Location"]
    with sending():
        return client.post(form_url, {"password1": password, "password2": password})


def test_the_link_sets_a_new_password_once_and_the_parent_is_told(client, sending, family,
                                                                  reset_link):
    response = set_new_password(client, sending, reset_link)

    assert response["Location"] == reverse("account_reset_password_from_key_done")
    assert french("Your password has been changed") in \
        html_of(client.get(response["Location"]))
    family.user.refresh_from_db()
    assert family.user.check_password(NEW_PASSWORD)
    [message] = emails_to(family.user.email)
    assert message.subject == french("Your Portail Famille password has changed")

    # Used once: the same link now offers to ask for a new one.
    html = html_of(client.get(reset_link))
    assert french("This link no longer works") in html
    assert f'href="{reverse("account_reset_password")}"' in html


def test_a_new_password_lifts_the_lock_set_from_every_address(sending, family, reset_link):
    # A guesser's ten wrong passwords from ten addresses lock the account; the parent
    # resets the password from the phone.
    wrong_passwords(["alice.tremblay", family.user.email],
                    [f"203.0.113.{number}" for number in range(10)], 10)
    assert lockouts.account_locked(family.user)
    tablet, phone = Client(REMOTE_ADDR="203.0.113.66"), Client(REMOTE_ADDR="198.51.100.23")

    set_new_password(phone, sending, reset_link)

    tablet.post(reverse("account_login"), {"login": "alice.tremblay", "password": NEW_PASSWORD})
    assert "_auth_user_id" in tablet.session


def test_a_weak_new_password_is_refused_beside_the_field(client, sending, family, reset_link):
    html = html_of(set_new_password(client, sending, reset_link, password="password1234"))

    assert '<ul class="errorlist" id="id_password1_error">' in html
    family.user.refresh_from_db()
    assert family.user.check_password(factories.PASSWORD)


def test_a_tampered_link_offers_to_start_again(client, reset_link):
    tampered = reset_link[:-3] + ("a" if reset_link[-3] != "a" else "b") + reset_link[-2:]
    assert french("This link no longer works") in html_of(client.get(tampered))


def test_the_link_expires(client, reset_link, settings):
    later = timezone.now() + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later, tick=False):
        assert french("This link no longer works") in html_of(client.get(reset_link))


def test_a_reset_ends_the_parents_other_sessions(client, sending, family):
    phone = Client()
    phone.force_login(family.user)
    assert phone.get(reverse("home")).status_code == 200
    ask_reset(client, sending, "alice.tremblay")
    [message] = emails_to(family.user.email)

    set_new_password(client, sending, link_in(message, RESET_PREFIX))

    assert phone.get(reverse("home"))["Location"].startswith(reverse("account_login"))


def test_reset_requests_are_limited_with_a_french_page(client, sending, family):
    for _ in range(5):
        assert ask_reset(client, sending, "alice.tremblay").status_code == 302

    response = ask_reset(client, sending, "alice.tremblay")
    assert french("Too many attempts. Wait a few minutes and try again.") in \
        html_of(response, status=429)
    assert len(emails_to(family.user.email)) == 5
