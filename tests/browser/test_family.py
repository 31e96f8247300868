"""The Famille tab in Chromium, at 1280 px and 360 px: every tab and sub-tab passes axe
(WCAG 2.1 A and AA), nothing scrolls sideways on a phone (the timetable grid scrolls in
its own labelled region), the side tabs work with a keyboard, and the calendar link and
a parent form work end to end."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from students.models import CalendarFeed, ParentFormResponse
from tests.browser.conftest import assert_no_horizontal_scroll, axe_check, login
from tests.pages import french
from tests.students import famille_factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("famille_today")]

SCREENS = ["page", "phone_page"]
CHILD_PAGES = ["details", "address", "contacts", "photo", "forms", "attendance", "timetable",
               "calendar", "enrolments"]


@pytest.fixture
def furnished(family, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    famille_factories.furnish_family(family, attendance=40, sections=8)
    form = famille_factories.ParentFormFactory()
    return family, form


def _url(live_server, name: str, child, **kwargs) -> str:
    return live_server.url + reverse(f"students:{name}",
                                     kwargs={"public_id": child.public_id, **kwargs})


def check(page: Page) -> None:
    axe_check(page)
    if page.viewport_size["width"] <= 360:
        assert_no_horizontal_scroll(page)


@pytest.mark.parametrize("screen", SCREENS)
def test_every_tab_and_sub_tab(request, live_server, furnished, screen):
    page: Page = request.getfixturevalue(screen)
    family, form = furnished
    login(page, live_server, family.user)

    page.goto(live_server.url + reverse("students:family"))
    expect(page.locator("main img.child-card__photo")).to_have_count(1)
    check(page)

    for child in family.children:
        for name in CHILD_PAGES:
            page.goto(_url(live_server, name, child))
            expect(page.locator("html")).to_have_attribute("lang", "fr")
            expect(page.get_by_role("heading", level=1)).to_have_text(
                f"{child.first_name} {child.last_name}")
            check(page)
        page.goto(_url(live_server, "form_answer", child, form_id=form.public_id))
        check(page)
        page.goto(_url(live_server, "attendance", child) + "?periode=2025-01")
        expect(page.locator("main .errorlist")).to_be_visible()
        check(page)


def test_every_tab_reflows_at_320_px(page: Page, live_server, furnished):
    """WCAG's reflow width (1280 px at 400 %): only a table's own region may scroll."""
    family, form = furnished
    page.set_viewport_size({"width": 320, "height": 640})
    login(page, live_server, family.user)
    for child in family.children:
        for name in CHILD_PAGES:
            page.goto(_url(live_server, name, child))
            assert_no_horizontal_scroll(page)


@pytest.mark.parametrize("screen", SCREENS)
def test_photo_is_served_to_the_browser(request, live_server, furnished, screen):
    page: Page = request.getfixturevalue(screen)
    family, _ = furnished
    login(page, live_server, family.user)
    page.goto(_url(live_server, "photo", family.children[0]))
    photo = page.locator("main img.student-photo")
    expect(photo).to_be_visible()
    assert photo.evaluate("image => image.complete && image.naturalWidth") == 4


@pytest.mark.parametrize("screen", SCREENS)
def test_timetable_grid_scrolls_in_its_own_region_on_a_phone(request, live_server,
                                                               furnished, screen):
    page: Page = request.getfixturevalue(screen)
    family, _ = furnished
    login(page, live_server, family.user)
    page.goto(_url(live_server, "timetable", family.children[1]))
    region = page.locator("main .table-scroll[role=region]")
    expect(region.locator("table thead th")).to_have_count(6)
    expect(region.locator("table thead th").nth(1)).to_have_text("Lundi")
    region.focus()
    expect(region).to_be_focused()
    assert_no_horizontal_scroll(page)
    if screen == "phone_page":
        assert region.evaluate("element => element.scrollWidth > element.clientWidth")
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "() => document.querySelector('main .table-scroll').scrollLeft > 0")


def test_side_tabs_are_reached_and_followed_with_the_keyboard(page: Page, live_server,
                                                              furnished):
    family, _ = furnished
    child = family.children[0]
    login(page, live_server, family.user)
    page.goto(_url(live_server, "details", child))
    side_tabs = page.locator("nav.side-tabs a")
    # Détails, Emploi du temps, Adhésion, Documents, Notification.
    expect(side_tabs).to_have_count(5)
    targets = [side_tabs.nth(i).get_attribute("href") for i in range(5)]
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        href = page.evaluate(
            "() => document.activeElement.closest('nav.side-tabs') ? "
            "document.activeElement.getAttribute('href') : null")
        if href:
            reached.append(href)
        if len(reached) == len(targets):
            break
    assert reached == targets
    # Back from the last tab to Emploi du temps (the second) and follow it with Enter.
    for _ in range(len(targets) - 2):
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(_url(live_server, "timetable", child))
    expect(page.locator("nav.side-tabs a[aria-current=page]")).to_have_attribute(
        "href", targets[1])


def test_a_focused_current_tab_keeps_the_dark_focus_ring(page: Page, live_server, furnished):
    """The yellow ring alone hardly shows on the light page: the dark one goes round it."""
    family, _ = furnished
    login(page, live_server, family.user)
    page.goto(_url(live_server, "details", family.children[0]))
    for current in (page.locator("nav.top-tabs a[aria-current=page]"),
                    page.locator("nav.side-tabs a[aria-current=page]")):
        for _ in range(40):
            page.keyboard.press("Tab")
            if current.evaluate("link => link === document.activeElement"):
                break
        expect(current).to_be_focused()
        assert "rgb(27, 31, 35) 0px 0px 0px 6px" in current.evaluate(
            "link => getComputedStyle(link).boxShadow")


def test_calendar_link_create_then_revoke(page: Page, live_server, furnished):
    family, _ = furnished
    child = family.children[0]
    login(page, live_server, family.user)
    page.goto(_url(live_server, "timetable", child))
    page.get_by_role("link", name="Mon lien de calendrier").click()
    page.wait_for_url(_url(live_server, "calendar", child))
    check(page)
    page.locator("main form button[value=create]").click()
    link = page.locator("#calendar-url")
    expect(link).to_be_visible()
    url = link.input_value()
    feed = CalendarFeed.objects.get(user=family.user, student=child)
    assert url == live_server.url + reverse("students:calendar_feed",
                                            kwargs={"token": feed.token})
    check(page)

    page.locator("main form button[value=revoke]").click()
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("#calendar-url")).to_have_count(0)
    assert not CalendarFeed.objects.filter(student=child).exists()
    check(page)


def test_a_form_sent_unanswered_gets_the_portals_errors(page: Page, live_server, furnished):
    """Not the browser's own bubbles (in the browser's language, gone at the next key): the
    page's summary and the fields' messages, in the page's language."""
    family, form = furnished
    child = family.children[0]
    login(page, live_server, family.user)
    page.goto(_url(live_server, "form_answer", child, form_id=form.public_id))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main .form-errors")).to_be_focused()
    expect(page.locator("main .errorlist").first).to_have_text(
        french("This field is required."))
    check(page)
    assert not ParentFormResponse.objects.exists()


def test_parent_answers_a_form(page: Page, live_server, furnished):
    family, form = furnished
    child = family.children[0]
    login(page, live_server, family.user)
    page.goto(_url(live_server, "forms", child))
    page.locator("main table a").first.click()
    page.wait_for_url(_url(live_server, "form_answer", child, form_id=form.public_id))
    page.locator("main input[type=radio][value=yes]").check()
    page.locator("main input[name=signature]").fill("Alice Tremblay")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(_url(live_server, "forms", child))
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("main table")).to_contain_text("29 novembre 2026")
    check(page)
    answer = ParentFormResponse.objects.get()
    assert (answer.student, answer.signature, answer.accepted) == (child, "Alice Tremblay",
                                                                   True)
