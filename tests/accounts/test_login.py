"""Login with the login ID or the email: limits that stop guessing from any number of addresses,
accounts not yet validated, the password hasher, and the second step."""

import datetime
import re

import pytest
import time_machine
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from accounts import lockouts
from tests import factories
from tests.accounts.conftest import emails_to, page_text
from tests.pages import french, html_of
from tests.signin import wrong_passwords
from tests.staff import totp_code

pytestmark = pytest.mark.django_db

LOGIN = "account_login"
OWASP_ARGON2ID = "argon2$argon2id$v=19$m=19456,t=2,p=1$"
ATTACKER = "203.0.113.66"
PARENT_AT_HOME = "198.51.100.23"


def log_in(client, login: str, password: str = factories.PASSWORD, ip: str = "127.0.0.1"):
    return client.post(reverse(LOGIN), {"login": login, "password": password}, REMOTE_ADDR=ip)


def logged_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.mark.parametrize("login", ["alice.tremblay", "ALICE.TREMBLAY",
                                   "alice.tremblay@example.com", "Alice.Tremblay@Example.com"])
def test_login_by_login_id_or_email(client, family, login):
    response = log_in(client, login)
    assert response["Location"] == reverse("home")
    assert logged_in_as(client) == str(family.user.pk)


def test_login_page_leads_to_recovery_and_signup(client):
    html = html_of(client.get(reverse(LOGIN)))

    label = french("Login ID or email")
    assert f'<label class="field__label" for="id_login">{label}</label>' in html
    recovery = french("Set up a new password")
    assert f'<div class="field__help" id="id_password_helptext"><a href="' \
           f'{reverse("accounts:recovery")}">{recovery}</a></div>' in html
    assert 'aria-describedby="id_password_helptext"' in html
    assert f'href="{reverse("accounts:signup")}">' \
           f'{french("Create a Portail Famille account")}</a>' in html


def test_the_login_field_is_a_username_for_browsers_and_phones(client):
    html = html_of(client.get(reverse(LOGIN)))
    [field] = re.findall(r'<input[^>]*id="id_login"[^>]*>', html)
    assert 'autocomplete="username"' in field
    assert 'autocapitalize="none"' in field and 'spellcheck="false"' in field


@pytest.mark.parametrize("login", ["alice.tremblay", "inconnu", "alice.tremblay@example.com",
                                   "inconnu@example.com"])
def test_a_wrong_password_or_login_gets_the_same_french_message(client, family, login):
    response = log_in(client, login, password="pas le bon mot de passe")

    key = "email_password_mismatch" if "@" in login else "username_password_mismatch"
    assert str(get_adapter().error_messages[key]) in html_of(response)
    assert not logged_in_as(client)


def test_an_account_not_yet_validated_is_told_and_gets_the_email_again(client, sending):
    user = factories.UserFactory(username="nouveau")
    EmailAddress.objects.filter(user=user).update(verified=False)

    with sending():
        response = log_in(client, "nouveau")

    assert response["Location"] == reverse("account_email_verification_sent")
    assert not logged_in_as(client)
    html = html_of(client.get(response["Location"]))
    assert french("Validate your account") in html
    assert french("Confirmation email sent to %(email)s.") % {"email": user.email} in html
    [message] = emails_to(user.email)
    assert "/compte/valider/" in message.body


def test_a_disabled_account_is_sent_to_the_help_centre(client, family, settings):
    family.user.is_active = False
    family.user.save()

    response = log_in(client, "alice.tremblay")

    assert not logged_in_as(client)
    assert response["Location"] == reverse("account_inactive")
    html = html_of(client.get(response["Location"]))
    assert french("This account is disabled") in html
    assert settings.HELPDESK_PHONE in html


# Rate limits -----------------------------------------------------------------------------

TOO_MANY = ("Too many failed login attempts. Try again later, or set up a new password: "
            "the emailed link lifts the limit at once.")
# A guesser with many addresses: the account's limit holds across all of them.
ADDRESSES = [f"203.0.113.{number}" for number in range(1, 30)]
LOGINS = ["alice.tremblay", "alice.tremblay@example.com"]


def at(moment, client, login, password=factories.PASSWORD, ip=PARENT_AT_HOME):
    with time_machine.travel(moment, tick=False):
        return log_in(client, login, password=password, ip=ip)


def test_wrong_passwords_from_many_addresses_make_the_account_wait(client, family):
    # Five guesses, each from its own address, the login ID and the email in turn.
    next_try = wrong_passwords(LOGINS, ADDRESSES, 5)
    last_guess = next_try - datetime.timedelta(seconds=lockouts.wait_after(5) + 1)

    # Even the right password, from the parent's own address, waits...
    response = at(last_guess + datetime.timedelta(seconds=29), client, "alice.tremblay")
    assert french(TOO_MANY) in html_of(response)
    assert not logged_in_as(client)
    # ...30 seconds, then logs in, and the count starts again.
    assert at(next_try, client, "alice.tremblay@example.com")["Location"] == reverse("home")
    client.logout()
    assert french(TOO_MANY) not in html_of(
        at(next_try, client, "alice.tremblay", password="devinette", ip=ADDRESSES[0]))


def test_each_wrong_password_after_the_fifth_doubles_the_wait(client, family):
    assert [lockouts.wait_after(number) for number in range(4, 11)] == \
        [0, 30, 60, 120, 240, 480, lockouts.LOCK_SECONDS]
    next_try = wrong_passwords(LOGINS, ADDRESSES, 6)

    too_early = next_try - datetime.timedelta(seconds=2)
    assert french(TOO_MANY) in html_of(at(too_early, client, "alice.tremblay"))
    assert at(next_try, client, "alice.tremblay")["Location"] == reverse("home")


def test_ten_wrong_passwords_lock_the_account_for_an_hour(client, family):
    next_try = wrong_passwords(LOGINS, ADDRESSES, 10)

    assert lockouts.account_locked(family.user)
    almost = next_try - datetime.timedelta(minutes=1)
    assert french(TOO_MANY) in html_of(at(almost, client, "alice.tremblay@example.com"))
    assert at(next_try, client, "alice.tremblay")["Location"] == reverse("home")


def test_an_unknown_login_is_limited_exactly_like_an_account(client, family):
    """The limits must not tell a guesser which logins have an account."""
    pages = []
    for login in ("alice.tremblay", "inconnu"):
        next_try = wrong_passwords([login], ADDRESSES, 5)
        before = next_try - datetime.timedelta(seconds=10)
        pages.append(page_text(at(before, client, login, password="devinette")))
    assert french(TOO_MANY) in pages[0]
    assert pages[0] == pages[1].replace("inconnu", "alice.tremblay")


def test_failed_logins_are_limited_per_address_whatever_the_login(client, family, other_family):
    too_many = french(TOO_MANY)
    for number in range(10):
        log_in(client, f"parent{number}@example.com", password="devinette", ip=ATTACKER)

    assert too_many in html_of(log_in(client, "bob.gagnon", ip=ATTACKER))
    assert log_in(client, "alice.tremblay", ip=PARENT_AT_HOME)["Location"] == reverse("home")


def test_too_many_logins_from_one_address_get_a_french_page(client, family):
    for _ in range(30):
        client.post(reverse(LOGIN), {"login": "", "password": ""}, REMOTE_ADDR=ATTACKER)

    response = client.post(reverse(LOGIN), {"login": "alice.tremblay",
                                            "password": factories.PASSWORD},
                           REMOTE_ADDR=ATTACKER)
    assert french("Too many attempts. Wait a few minutes and try again.") in \
        html_of(response, status=429)


# Passwords -------------------------------------------------------------------------------

def test_an_old_pbkdf2_hash_becomes_argon2id_at_login(client):
    user = factories.UserFactory(username="ancien",
                                 password=make_password(factories.PASSWORD,
                                                        hasher="pbkdf2_sha256"))
    assert user.password.startswith("pbkdf2_sha256$")

    assert log_in(client, "ancien")["Location"] == reverse("home")

    user.refresh_from_db()
    assert user.password.startswith(OWASP_ARGON2ID)
    assert user.check_password(factories.PASSWORD)


def test_new_passwords_use_argon2id_at_owasps_minimum():
    assert make_password("x" * 12).startswith(OWASP_ARGON2ID)


# Two-step login --------------------------------------------------------------------------

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def two_step_parent(family):
    TOTP.activate(family.user, SECRET)
    codes = RecoveryCodes.activate(family.user)
    return family.user, codes.get_unused_codes()


def test_two_step_login_asks_for_the_apps_code(client, two_step_parent):
    response = log_in(client, "alice.tremblay")
    assert response["Location"] == reverse("mfa_authenticate")
    assert not logged_in_as(client)
    html = html_of(client.get(response["Location"]))
    assert f"<h1>{french('Two-step login')}</h1>" in html

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert not logged_in_as(client)
    assert wrong.status_code == 200

    code = totp_code(SECRET)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response["Location"] == reverse("home")
    assert logged_in_as(client) == str(two_step_parent[0].pk)


def test_a_recovery_code_replaces_the_app_once(client, two_step_parent):
    user, codes = two_step_parent
    log_in(client, "alice.tremblay")
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]})["Location"] == \
        reverse("home")

    client.logout()
    log_in(client, "alice.tremblay")
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert not logged_in_as(client)
    recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert len(recovery.wrap().get_unused_codes()) == len(codes) - 1
