"""A parent's first visit in a real browser: login, home, Famille, a child's Détails.

Every page is checked with axe-core (WCAG 2.1 A and AA) at desktop width and at 360 px,
where nothing may scroll sideways.
"""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_no_horizontal_scroll, axe_check, login
from tests.pages import french

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = ["page", "phone_page"]


def check_page(page: Page) -> None:
    axe_check(page)
    if page.viewport_size["width"] <= 360:
        assert_no_horizontal_scroll(page)


@pytest.mark.parametrize("screen", SCREENS)
def test_login_page_is_in_french(request, live_server, screen):
    page: Page = request.getfixturevalue(screen)
    page.goto(live_server.url + reverse("account_login"))

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    title = french("Log in to Portail Famille")
    assert title != "Log in to Portail Famille", "the French catalogue lacks the login title"
    expect(page).to_have_title(f"{title} – {settings.BOARD_SHORT_NAME}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("main input[name=login]")).to_be_visible()
    check_page(page)


@pytest.mark.parametrize("screen", SCREENS)
def test_parent_logs_in_and_opens_a_childs_details(request, live_server, family, screen):
    page: Page = request.getfixturevalue(screen)
    login(page, live_server, family.user)

    main = page.locator("main")
    for child in family.children:
        expect(main).to_contain_text(f"{child.first_name} {child.last_name}")
        expect(main).to_contain_text(child.school.name)
    check_page(page)

    tabs = page.get_by_role("navigation", name=french("Top tabs"))
    tabs.get_by_role("link", name=french("Family"), exact=True).click()
    page.wait_for_url(live_server.url + reverse("students:family"))
    expect(page.get_by_role("heading", level=1)).to_have_text(french("Family"))
    for child in family.children:
        expect(main).to_contain_text(f"{child.last_name}, {child.first_name}")
    check_page(page)

    child = family.children[1]
    main.get_by_role("link", name=f"{child.last_name}, {child.first_name}").click()
    page.wait_for_url(
        live_server.url + reverse("students:details", kwargs={"public_id": child.public_id})
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{child.first_name} {child.last_name}"
    )
    expect(main).to_contain_text(child.niso_display)
    expect(main).to_contain_text(child.school.name)
    check_page(page)


def test_the_name_menu_works_with_a_keyboard_and_closes_as_a_menu_does(phone_page: Page,
                                                                       live_server, family):
    page = phone_page
    login(page, live_server, family.user)
    menu, toggle = page.locator("details.user-menu"), page.locator(".user-menu__toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link", name=french("Set preferences"))).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(toggle).to_be_focused()

    # Open, then on past its last item: it closes rather than stay over the page.
    page.keyboard.press("Space")
    expect(menu).to_have_attribute("open", "")
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.get_by_role("navigation", name=french("Top tabs")).get_by_role(
        "link", name=french("Home page"))).to_be_focused()
    expect(menu).not_to_have_attribute("open", "")

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # the summary again: the menu opens, then a click outside
    expect(menu).to_have_attribute("open", "")
    page.locator("main h1").click()
    expect(menu).not_to_have_attribute("open", "")
