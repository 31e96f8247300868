"""Parents' accounts in Chromium, in French, in the portal's own words: sign-up
(both paths), the validation email, login by login ID and by email, login-ID recovery,
password reset, the Sécurité tab and two-step login. axe checks every page; the
existing-parent path runs at 360 px, where nothing may scroll sideways.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from portail.celery import app as celery_app
from students import services
from tests import factories
from tests.accounts.conftest import NEW_PASSWORD, link_in
from tests.browser.conftest import assert_no_horizontal_scroll, axe_check, login
from tests.pages import french
from tests.staff import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def emails_in_process(monkeypatch):
    """The live server sends emails at commit, in process (even when CI sets REDIS_URL)."""
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)


def check(page: Page) -> None:
    axe_check(page)
    if page.viewport_size["width"] <= 360:
        assert_no_horizontal_scroll(page)


def last_email_to(address: str):
    return [message for message in mail.outbox if message.to == [address]][-1]


def click(page: Page, role: str, name: str) -> None:
    """Click in the page's main content (the header has its own "Connexion" link)."""
    page.locator("main").get_by_role(role, name=french(name), exact=True).click()


def label(page: Page, text: str):
    """The form field with this label (sections are labelled by their headings too)."""
    return page.locator("main form").get_by_label(french(text), exact=True)


def fill_step_two(page: Page, email: str) -> None:
    label(page, "Main email").fill(email)
    label(page, "Password").fill(NEW_PASSWORD)
    label(page, "Password (again)").fill(NEW_PASSWORD)
    label(page, "Security question").select_option("first_pet")
    label(page, "Security answer").fill("Pompon")
    click(page, "button", "Create my account")
    page.wait_for_url("**" + reverse("account_email_verification_sent"))
    expect(page.locator("main")).to_contain_text(
        french("A validation message has been sent to your main email."))


def validate_from_email(page: Page, live_server, email: str) -> str:
    """Follow the email's link, press "Valider votre compte"; returns the login ID shown."""
    page.goto(live_server.url + link_in(last_email_to(email), "/compte/valider/"))
    check(page)
    click(page, "button", "Validate your account")
    page.wait_for_url("**" + reverse("accounts:activated"))
    check(page)
    return page.locator(".login-id").inner_text()


def log_in(page: Page, login_id: str, password: str) -> None:
    label(page, "Login ID or email").fill(login_id)
    page.locator("main input[name=password]").fill(password)
    page.locator("main form").get_by_role("button", name=french("Log in")).click()


def test_new_parent_creates_validates_and_logs_in(page: Page, live_server, settings):
    page.goto(live_server.url + reverse("account_login"))
    check(page)
    click(page, "link", "Create a Portail Famille account")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        french("Create a Portail Famille account"))
    check(page)
    new_parent = french("Click here if you are a new parent at the %(board_short_name)s and "
                        "the system does not contain any of your information")
    page.get_by_role("link", name=new_parent % {"board_short_name": settings.BOARD_SHORT_NAME}
                     ).click()

    expect(page.locator(".signup-step")).to_contain_text(french("Step %(step)s of 2") % {"step": 1})
    click(page, "button", "Next")  # empty: every error beside its field
    expect(page.locator("#id_first_name_error")).to_have_text(french("This field is required."))
    check(page)
    for text, value in [("First name", "Amélie"), ("Last name", "Tremblay"),
                        ("Address", "12, rue des Érables"), ("City", "Orléans"),
                        ("Postal code", "k1c 2n4"), ("Main phone number", "613-555-0123")]:
        label(page, text).fill(value)
    expect(label(page, "Province")).to_have_value("ON")
    click(page, "button", "Next")
    page.wait_for_url("**" + reverse("accounts:signup_account"))
    expect(page.locator(".signup-step")).to_contain_text(french("Step %(step)s of 2") % {"step": 2})
    check(page)

    # The browser's Back button: step 1 comes back as it was typed.
    page.go_back()
    page.wait_for_url("**" + reverse("accounts:signup_profile"))
    expect(label(page, "First name")).to_have_value("Amélie")
    expect(label(page, "Postal code")).to_have_value(re.compile("k1c 2n4", re.IGNORECASE))
    click(page, "button", "Next")

    fill_step_two(page, "amelie@example.com")
    check(page)
    login_id = validate_from_email(page, live_server, "amelie@example.com")
    assert login_id == "atremblay"

    click(page, "link", "Log in")
    log_in(page, login_id, NEW_PASSWORD)
    page.wait_for_url(live_server.url + reverse("home"))
    expect(page.locator("main")).to_contain_text(
        french("You do not see any of your children yet. Your child's school links your "
               "account to your children; if it cannot, contact the user help centre."))
    check(page)

    page.locator(".user-menu__toggle").click()
    page.locator(".user-menu__list").get_by_role("button", name=french("Log out")).click()
    page.wait_for_url("**" + reverse("account_login"))
    log_in(page, "Amelie@Example.com", NEW_PASSWORD)
    page.wait_for_url(live_server.url + reverse("home"))


def test_a_form_sent_back_with_errors_opens_on_its_summary(page: Page, live_server):
    """The browser moves the focus to the summary (its title says "Error:" first); each link
    leads to its field, marked invalid and described by its own message."""
    page.goto(live_server.url + reverse("account_login"))
    click(page, "button", "Log in")
    page.wait_for_load_state()
    summary = page.locator("main .form-errors")
    expect(summary).to_be_focused()
    assert page.title().startswith(french("Error:") + " " + french("Log in to Portail Famille"))
    links = summary.get_by_role("link")
    expect(links).to_have_text([french("Login ID or email"), french("Password")])
    check(page)

    page.keyboard.press("Tab")
    expect(links.first).to_be_focused()
    page.keyboard.press("Enter")
    field = label(page, "Login ID or email")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#" + field.get_attribute("aria-describedby"))).to_have_text(
        french("This field is required."))


def test_parent_recovers_the_login_id_and_resets_the_password(page: Page, live_server, family):
    page.goto(live_server.url + reverse("account_login"))
    click(page, "link", "Set up a new password")
    expect(page.get_by_role("heading", level=1)).to_have_text(french("Set up a new password"))
    check(page)

    click(page, "link", "Recover your login ID")
    check(page)
    label(page, "Main email").fill(family.user.email)
    click(page, "button", "Send my login ID")
    expect(page.get_by_role("heading", level=1)).to_have_text(french("Check your email"))
    check(page)
    assert "alice.tremblay" in last_email_to(family.user.email).body

    page.go_back()
    page.go_back()
    click(page, "link", "Reset your password (Portail Famille)")
    check(page)
    label(page, "Email or login ID").fill("alice.tremblay")
    click(page, "button", "Send me the link")
    page.wait_for_url("**" + reverse("account_reset_password_done"))
    check(page)

    page.goto(live_server.url + link_in(last_email_to(family.user.email),
                                        "/comptes/password/reset/key/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(french("Choose a new password"))
    check(page)
    label(page, "New Password").fill(NEW_PASSWORD)
    label(page, "New Password (again)").fill(NEW_PASSWORD)
    click(page, "button", "Save my new password")
    page.wait_for_url("**" + reverse("account_reset_password_from_key_done"))
    check(page)
    assert french("Your Portail Famille password has changed") in \
        last_email_to(family.user.email).subject

    click(page, "link", "Log in")
    log_in(page, "alice.tremblay", NEW_PASSWORD)
    page.wait_for_url(live_server.url + reverse("home"))


def test_parent_changes_password_and_question_and_turns_on_two_step_login(
    page: Page, live_server, family
):
    login(page, live_server, family.user)
    page.locator(".user-menu__toggle").click()
    page.get_by_role("link", name=french("Set preferences")).click()
    check(page)
    page.get_by_role("navigation", name=french("Preferences")).get_by_role(
        "link", name=french("Security")).click()
    page.wait_for_url("**" + reverse("accounts:security"))
    check(page)

    click(page, "link", "Change my password")
    check(page)
    label(page, "Current Password").fill(factories.PASSWORD)
    label(page, "New Password").fill(NEW_PASSWORD)
    label(page, "New Password (again)").fill(NEW_PASSWORD)
    click(page, "button", "Change my password")
    page.wait_for_url("**" + reverse("accounts:security"))
    expect(page.locator(".messages")).to_contain_text(french("Password successfully changed."))

    label(page, "Current password").fill(NEW_PASSWORD)
    label(page, "Security question").select_option("street")
    label(page, "Security answer").fill("Rue des Pins")
    click(page, "button", "Change my security question")
    expect(page.locator(".messages")).to_contain_text(
        french("Your security question has been changed."))
    check(page)

    click(page, "link", "Turn on two-step login")
    page.wait_for_url("**" + reverse("account_reauthenticate") + "?*")  # the password again
    check(page)
    label(page, "Password").fill(NEW_PASSWORD)
    click(page, "button", "Confirm")
    page.wait_for_url("**" + reverse("mfa_activate_totp"))
    check(page)
    secret = page.locator("#totp-secret").inner_text()
    code = totp_code(secret)
    page.locator("main input[name=code]").fill(code)
    click(page, "button", "Turn on two-step login")
    page.wait_for_url("**" + reverse("mfa_view_recovery_codes"))
    check(page)
    recovery_code = page.locator(".recovery-codes code").first.inner_text()

    page.locator(".user-menu__toggle").click()
    page.locator(".user-menu__list").get_by_role("button", name=french("Log out")).click()
    page.wait_for_url("**" + reverse("account_login"))
    log_in(page, "alice.tremblay", NEW_PASSWORD)
    page.wait_for_url("**" + reverse("mfa_authenticate"))
    check(page)
    page.locator("main input[name=code]").fill(recovery_code)
    page.locator("main form").first.get_by_role("button", name=french("Log in")).click()
    page.wait_for_url(live_server.url + reverse("home"))


def test_existing_parent_with_a_code_sees_their_child_on_a_phone(phone_page: Page, live_server):
    page = phone_page
    guardian = factories.GuardianFactory(first_name="Élise", last_name="Bélanger",
                                         email="elise@example.com")
    child = factories.StudentFactory(legal_first_name="Léa", legal_last_name="Bélanger")
    factories.StudentGuardianFactory(student=child, guardian=guardian)
    _access_code, code = services.access_code_issue(guardian=guardian, issued_by=None)

    page.goto(live_server.url + reverse("accounts:signup"))
    check(page)
    click(page, "link", "I have an access code")
    check(page)
    label(page, "Access code").fill(code.lower())
    label(page, "Last name").fill("belanger")
    click(page, "button", "Next")
    page.wait_for_url("**" + reverse("accounts:signup_account"))
    check(page)
    fill_step_two(page, "elise@example.com")
    check(page)

    login_id = validate_from_email(page, live_server, "elise@example.com")
    assert login_id == "ebelanger"
    click(page, "link", "Log in")
    log_in(page, login_id, NEW_PASSWORD)
    page.wait_for_url(live_server.url + reverse("home"))
    expect(page.locator("main")).to_contain_text(re.compile(r"Léa\s+Bélanger"))
    check(page)
