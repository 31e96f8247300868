"""The admin pages a secretary and the help desk use, in Chromium at 1280 px, in French:
nothing cut off or wider than the window, notes inside their rows, and axe finds no
WCAG 2.1 A or AA violation."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.roles import HELP_DESK
from tests import factories
from tests.browser.conftest import assert_no_horizontal_scroll, axe_check
from tests.browser.test_admin_linking import admin_login
from tests.pages import french_in_context
from tests.staff import make_staff
from tests.staff_session import totp_secret_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_SCHOOL = "École secondaire catholique régionale de l'Est ontarien Marie-Rivier-de-la-Rivière"


def fits(page: Page, selector: str) -> None:
    """The element's right edge is inside the window: nothing of it is cut off."""
    right = page.locator(selector).first.evaluate("e => e.getBoundingClientRect().right")
    assert right <= page.viewport_size["width"], f"{selector} ends at {right} px"


def test_a_secretarys_admin_pages_at_1280_px(page: Page, live_server, family):
    assert page.viewport_size["width"] == 1280
    child = family.children[0]
    child.school.name = LONG_SCHOOL
    child.school.save(update_fields=["name"])
    contact = factories.GuardianFactory(first_name="Marc", last_name="Bélanger")  # no account
    factories.StudentGuardianFactory(student=child, guardian=contact)
    secretary = make_staff("secretariat", schools=[child.school])
    students = reverse("admin:students_student_changelist")

    admin_login(page, live_server, secretary, totp_secret_for(secretary), students)
    fits(page, "#result_list thead th:last-child")
    expect(page.locator("#result_list")).to_contain_text(LONG_SCHOOL)
    assert_no_horizontal_scroll(page)
    axe_check(page, preload=False)

    page.goto(live_server.url + reverse("admin:students_student_change", args=[child.pk]))
    fits(page, "#content")
    assert_no_horizontal_scroll(page)
    school = page.locator(".field-school .select2-selection__rendered")
    expect(school).to_have_text(LONG_SCHOOL)
    assert school.evaluate("e => e.scrollWidth <= e.clientWidth"), "the school's name is cut"
    row = page.locator("table.portal-connections tr", has_text=str(contact))
    expect(row.locator("td").nth(3)).to_have_text(french_in_context("portal account",
                                                                    "No account"))
    axe_check(page, preload=False)

    page.goto(live_server.url + reverse("admin:students_guardian_change",
                                        args=[family.guardian.pk]))
    assert_no_horizontal_scroll(page)
    axe_check(page, preload=False)

    for url in [reverse("imports:upload")]:
        page.goto(live_server.url + url)
        assert_no_horizontal_scroll(page)
        axe_check(page, preload=False)


def test_the_help_desk_search_at_1280_px(page: Page, live_server, family):
    agent = make_staff("agent.aide", board_level=True, group=HELP_DESK)
    child = family.children[0]
    search = reverse("helpdesk:home") + f"?q={child.last_name}"

    admin_login(page, live_server, agent, totp_secret_for(agent), search)
    expect(page.locator("#content table")).to_contain_text(family.user.username)
    assert_no_horizontal_scroll(page)
    axe_check(page, preload=False)
    page.goto(live_server.url + reverse("helpdesk:account", args=[family.user.pk]))
    assert_no_horizontal_scroll(page)
    axe_check(page, preload=False)
