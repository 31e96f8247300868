"""A school secretary in Chromium, in French: logs in with the second step, links a guardian
to a student on the student's page, and issues an access code shown on a printable letter.

The Django admin is not checked with axe (its markup is Django's), but any console error
or CSP violation fails the test (the `page` fixture).
"""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import AuditEvent
from students.models import AccessCode
from students.services import ACCESS_CODE_ISSUE, access_code_find
from tests import factories
from tests.pages import french, french_in_context
from tests.staff import make_staff, totp_code
from tests.staff_session import totp_secret_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def admin_login(page: Page, live_server, user, secret: str, wanted: str) -> None:
    """Open an admin page: allauth's login, its two-step page, then the page."""
    page.goto(live_server.url + wanted)
    page.wait_for_url(re.compile(re.escape(reverse("account_login"))))
    form = page.locator("main form:has(input[name=login])")
    form.locator("input[name=login]").fill(user.username)
    form.locator("input[name=password]").fill(factories.PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(live_server.url + reverse("mfa_authenticate"))
    page.locator("main input[name=code]").fill(totp_code(secret))
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(live_server.url + wanted)


def choose(page: Page, select_id: str, typed: str, option: str) -> None:
    """Pick in one of the admin's autocomplete fields (select2), as a person does."""
    page.locator(f"#{select_id} + .select2").click()
    page.locator(".select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=option).click()


def test_a_secretary_links_a_guardian_and_prints_an_access_code(page: Page, live_server,
                                                                 family):
    child = family.children[0]
    secretary = make_staff("secretariat", first_name="Sophie", schools=[child.school])
    secret = totp_secret_for(secretary)
    contact = factories.GuardianFactory(first_name="Marc", last_name="Bélanger",
                                        email="marc.belanger@example.com")
    student_page = reverse("admin:students_student_change", args=[child.pk])

    admin_login(page, live_server, secretary, secret, student_page)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    connections = page.locator("table.portal-connections")
    expect(connections).to_contain_text(str(family.guardian))
    expect(connections).to_contain_text(french_in_context("portal account", "Active"))

    # Link Marc to the child: a new row of the guardians' inline.
    page.locator("#guardian_links-group .add-row a").click()
    choose(page, "id_guardian_links-1-guardian", "Bélanger", str(contact))
    page.locator("#id_guardian_links-1-relationship").select_option("father")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    row = connections.locator("tr", has_text=str(contact))
    expect(row).to_contain_text(french_in_context("portal account", "No account"))
    # No box ticked: a link grants nothing, and the page says so.
    expect(row).to_contain_text(french("No custody and no access rights"))
    link = child.guardian_links.get(guardian=contact)
    assert (link.has_custody, link.has_access_rights) == (False, False)

    # From the connections, to Marc's page, to his access code.
    row.get_by_role("link", name=str(contact)).click()
    page.get_by_role("link", name=french("Issue an access code")).click()
    expect(page.locator("#access_code_form")).to_be_visible()
    page.locator("#access_code_form input[type=submit]").click()

    letter = page.locator("article.access-code-letter")
    expect(letter.get_by_role("heading", level=1)).to_have_text(
        french("Your Portail Famille access code"))
    expect(letter).to_contain_text(settings.BOARD_NAME)
    expect(letter).to_contain_text("Marc Bélanger")
    expect(letter).to_contain_text(settings.HELPDESK_EMAIL)
    code = letter.locator(".access-code-letter__code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    # Printed, the letter is alone on the page.
    page.emulate_media(media="print")
    expect(page.locator(".letter-tools")).to_be_hidden()
    expect(letter).to_be_visible()
    page.emulate_media(media="screen")

    access_code = AccessCode.objects.get(guardian=contact)
    assert access_code.created_by == secretary
    assert AuditEvent.objects.filter(action=ACCESS_CODE_ISSUE, actor=secretary).exists()
    guardian_page = live_server.url + reverse("admin:students_guardian_change",
                                              args=[contact.pk])

    # Reloading the letter sends no form again: the printed code stays the only one.
    page.reload()
    page.wait_for_url(guardian_page)
    expect(page.locator(".messagelist")).to_contain_text(french(
        "The letter is shown only once, and its code stays valid: nothing was issued again. "
        "If the letter is lost, issue a new code (the lost one then stops working)."))
    expect(page.locator("body")).not_to_contain_text(code)
    assert list(AccessCode.objects.filter(guardian=contact)) == [access_code]
    assert access_code_find(code=code, last_name="Bélanger") == access_code
