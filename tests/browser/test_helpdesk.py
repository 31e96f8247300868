"""A help-desk agent in Chromium, in French: logs in with the second step, finds a parent by a
child's name, resends the validation email, sends a reset link, checks a security answer.
No console error and no CSP violation (the `page` fixture fails the test on any)."""

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import AuditEvent
from accounts.roles import HELP_DESK
from accounts.services import security_answer_set
from outbox.models import OutboundEmail
from portail.celery import app as celery_app
from tests import factories
from tests.pages import french
from tests.staff import staff_group, totp_code
from tests.staff_session import totp_secret_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def emails_in_process(monkeypatch):
    """The live server sends emails at commit, in process (even when CI sets REDIS_URL)."""
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)


def staff_login(page: Page, live_server, user, secret: str) -> None:
    """allauth's login, then its two-step page with the authenticator's current code."""
    page.goto(live_server.url + reverse("account_login"))
    form = page.locator("main form:has(input[name=login])")
    form.locator("input[name=login]").fill(user.username)
    form.locator("input[name=password]").fill(factories.PASSWORD)
    form.locator("button[type=submit]").click()
    code = totp_code(secret)
    page.locator("main input[name=code]").fill(code)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(live_server.url + reverse("home"))


def test_an_agent_helps_a_parent_found_by_a_childs_name(page: Page, live_server, family):
    agent = factories.UserFactory(username="agent.aide", first_name="Nadia", is_staff=True)
    agent.groups.add(staff_group(HELP_DESK))
    secret = totp_secret_for(agent)
    parent, child = family.user, family.children[1]
    EmailAddress.objects.filter(user=parent).update(verified=False)
    security_answer_set(user=parent, question="first_pet", answer="Pompon")

    staff_login(page, live_server, agent, secret)
    page.goto(live_server.url + reverse("helpdesk:home"))
    expect(page.locator("html")).to_have_attribute("lang", settings.LANGUAGE_CODE)
    expect(page.get_by_role("heading", level=1)).to_have_text(french("User help centre"))

    search = page.get_by_role("textbox", name=french("Find an account"))
    search.fill(f"{child.first_name} {child.last_name}")
    page.get_by_role("button", name=french("Search")).click()
    results = page.locator("#content table")
    expect(results).to_contain_text(parent.username)
    expect(results).to_contain_text(french("Awaiting validation"))
    results.get_by_role("link", name=parent.username).click()
    expect(page.locator("#content")).to_contain_text(child.school.name)

    page.get_by_role("button", name=french("Resend the validation email")).click()
    expect(page.locator(".messagelist")).to_contain_text(
        french("A new validation email was sent to %(email)s.") % {"email": parent.email})
    assert OutboundEmail.objects.filter(template="account/email_confirmation",
                                        recipient=parent.email).count() == 1

    page.get_by_role("button", name=french("Send a password reset link")).click()
    expect(page.locator(".messagelist")).to_contain_text(
        french("A password reset link was sent to %(email)s.") % {"email": parent.email})
    assert OutboundEmail.objects.filter(template="account/password_reset_key",
                                        recipient=parent.email).count() == 1

    page.get_by_label(french("Answer given by the caller")).fill("pompon")
    page.get_by_role("button", name=french("Check the answer")).click()
    expect(page.locator(".messagelist")).to_have_text(french("Matches"))
    page.get_by_label(french("Answer given by the caller")).fill("Minou")
    page.get_by_role("button", name=french("Check the answer")).click()
    expect(page.locator(".messagelist")).to_have_text(french("Does not match"))

    assert sorted(AuditEvent.objects.filter(actor=agent).values_list("action", flat=True)) == [
        "helpdesk_password_reset", "helpdesk_security_check", "helpdesk_security_check",
        "helpdesk_validation_email"]
    history = page.locator("#content table").last
    expect(history).to_contain_text(agent.username)
