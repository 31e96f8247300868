"""Définir les préférences: the Général tab (display name, language, what is read-only) and
the Sécurité tab (password, two-step login; the security question is in
test_security_answer.py)."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.accounts.conftest import NEW_PASSWORD, emails_to
from tests.pages import french, html_of
from tests.staff import totp_code

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)")


@pytest.fixture
def alice(client, family):
    client.force_login(family.user)
    return family


def test_preferences_need_a_login(client):
    for name in ("accounts:preferences", "accounts:security", "account_change_password",
                 "mfa_index"):
        assert client.get(reverse(name))["Location"].startswith(reverse("account_login"))


def tab_link(html: str, name: str, label: str) -> str | None:
    """The tab's aria-current attribute ("" without one), or None when the tab is missing."""
    found = re.search(rf'<a href="{reverse(name)}"( aria-current="(?:page|true)")?>'
                      rf'{re.escape(french(label))}</a>', html)
    return found and (found.group(1) or "")


def test_general_tab_is_current_and_security_is_next_to_it(client, alice):
    html = html_of(client.get(reverse("accounts:preferences")))
    assert tab_link(html, "accounts:preferences", "General") == ' aria-current="page"'
    assert tab_link(html, "accounts:security", "Security") == ""


def test_the_display_name_is_shown_in_the_name_menu(client, alice):
    response = client.post(reverse("accounts:preferences"),
                           {"preferred_name": "Maman d'Émile", "preferred_language": "fr"})
    assert response["Location"] == reverse("accounts:preferences")

    html = html_of(client.get(reverse("home")))
    display_name = "Maman d'Émile"
    assert f'<summary class="user-menu__toggle">{display_name}</summary>' in html


def test_choosing_english_switches_the_portal_and_is_remembered(client, alice):
    response = client.post(reverse("accounts:preferences"),
                           {"preferred_name": "", "preferred_language": "en"})

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    alice.user.refresh_from_db()
    assert alice.user.preferred_language == "en"
    assert '<html lang="en">' in html_of(client.get(reverse("accounts:preferences")))


def test_the_account_language_follows_the_parent_to_a_new_browser(family):
    family.user.preferred_language = "en"
    family.user.save(update_fields=["preferred_language"])
    login = {"login": family.user.username, "password": factories.PASSWORD}

    new_browser = Client()
    response = new_browser.post(reverse("account_login"), login)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    home = html_of(new_browser.get(reverse("home")))
    assert '<html lang="en">' in home
    assert "Successfully signed in as" in home  # allauth's message too, written at login

    # A language chosen with the switcher on this browser before logging in stays.
    chosen = Client()
    chosen.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = chosen.post(reverse("account_login"), login)
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert '<html lang="fr">' in html_of(chosen.get(reverse("home")))


def test_email_and_postal_address_are_shown_read_only(client, alice):
    html = html_of(client.get(reverse("accounts:preferences")))

    assert alice.user.email in html
    for line in alice.guardian.address_lines:
        assert line in html
    for name in ("email", "street", "city", "postal_code"):
        assert f'name="{name}"' not in html
    assert french("Any change of email address or physical address must be made in "
                  "person at your school with the required documents.") in html


def test_an_account_without_a_guardian_record_shows_no_address(client, charlie):
    client.force_login(charlie)
    html = html_of(client.get(reverse("accounts:preferences")))
    assert french("Postal address") not in html


def test_security_tab_has_the_three_sections(client, alice):
    response = client.get(reverse("accounts:security"))
    html = html_of(response)

    assert tab_link(html, "accounts:security", "Security") == ' aria-current="page"'
    for heading in ("Password", "Security question", "Two-step login"):
        assert re.search(rf'<h2 id="[a-z-]+">{re.escape(french(heading))}</h2>', html)
    assert f'href="{reverse("account_change_password")}"' in html
    assert french("Two-step login is off.") in html
    assert f'href="{reverse("mfa_activate_totp")}"' in html
    assert not INLINE_SCRIPT.search(response.content.decode())


# Password --------------------------------------------------------------------------------

def change_password(client, sending, current: str, new: str = NEW_PASSWORD):
    with sending():
        return client.post(reverse("account_change_password"),
                           {"oldpassword": current, "password1": new, "password2": new})


def test_password_change_is_inside_the_security_tab(client, alice):
    html = html_of(client.get(reverse("account_change_password")))
    assert tab_link(html, "accounts:security", "Security") == ' aria-current="true"'
    assert 'name="oldpassword"' in html


def test_password_change_needs_the_current_password(client, sending, alice):
    html = html_of(change_password(client, sending, current="pas le bon"))

    assert '<ul class="errorlist" id="id_oldpassword_error">' in html
    # Says it is wrong, not to type one (allauth's words): one was typed.
    assert french("Your current password is not correct.") in html
    alice.user.refresh_from_db()
    assert alice.user.check_password(factories.PASSWORD)
    assert emails_to(alice.user.email) == []


def test_password_change_keeps_this_session_ends_the_others_and_emails(client, sending, alice):
    tablet = Client()
    tablet.force_login(alice.user)

    response = change_password(client, sending, current=factories.PASSWORD)

    assert response["Location"] == reverse("accounts:security")
    alice.user.refresh_from_db()
    assert alice.user.check_password(NEW_PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    assert tablet.get(reverse("home"))["Location"].startswith(reverse("account_login"))
    [message] = emails_to(alice.user.email)
    assert message.subject == french("Your Portail Famille password has changed")


# Two-step login --------------------------------------------------------------------------

def test_turning_on_two_step_login_shows_the_recovery_codes(client, sending, alice):
    # Not logged in through the form just now: the password is asked again first.
    reauthenticate = client.get(reverse("mfa_activate_totp"))["Location"]
    assert reauthenticate.startswith(reverse("account_reauthenticate"))
    html = html_of(client.get(reauthenticate))
    assert '<label class="field__label" for="id_password">' in html
    # No emailed code offered instead: the portal sends none (it had no email for it).
    assert reverse("account_request_reauthentication_code") not in html
    assert client.get(reverse("account_request_reauthentication_code")).status_code == 403
    response = client.post(reauthenticate, {"password": factories.PASSWORD})
    assert response["Location"] == reverse("mfa_activate_totp")

    response = client.get(reverse("mfa_activate_totp"))
    html = html_of(response)
    secret = client.session[SECRET_SESSION_KEY]
    assert f'<code class="totp-secret" id="totp-secret">{secret}</code>' in html
    assert re.search(r'<img class="totp-qr" src="data:image/svg\+xml;base64,[^"]+" alt="[^"]+"',
                     html)
    assert tab_link(html, "accounts:security", "Security") == ' aria-current="true"'
    assert not INLINE_SCRIPT.search(response.content.decode())

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "123456"})
    assert '<ul class="errorlist" id="id_code_error">' in html_of(wrong)

    with sending():
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response["Location"] == reverse("mfa_view_recovery_codes")
    codes_page = client.get(response["Location"])
    codes = re.findall(r"<li><code>([0-9a-z]+)</code></li>", html_of(codes_page))
    assert len(codes) == 10
    assert not INLINE_SCRIPT.search(codes_page.content.decode())
    assert Authenticator.objects.filter(user=alice.user, type=Authenticator.Type.TOTP).exists()
    assert emails_to(alice.user.email)

    html = html_of(client.get(reverse("accounts:security")))
    assert french("Two-step login is on: after your password, the portal asks for a "
                  "code from your authenticator app.") in html
    assert f'href="{reverse("mfa_index")}"' in html
    html = html_of(client.get(reverse("mfa_index")))
    assert f'href="{reverse("mfa_deactivate_totp")}"' in html
    assert f'href="{reverse("mfa_view_recovery_codes")}"' in html
