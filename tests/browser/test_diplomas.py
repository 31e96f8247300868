"""Famille › Relevés de notes in Chromium, at 1280 px and 360 px: both pages pass axe (WCAG
2.1 A and AA), nothing scrolls sideways on a phone, the charts draw (with no inline style:
the CSP would report it), and the programme's link leads from one page to the other."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from diplomas.models import Programme
from tests.browser.conftest import assert_no_horizontal_scroll, axe_check, login
from tests.diplomas.history import give_history
from tests.diplomas.test_pages import chart_label
from tests.pages import french

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("famille_today")]


@pytest.fixture
def teen(family, programmes):
    child = family.children[1]
    give_history(child)
    return family, child


@pytest.mark.parametrize("screen", ["page", "phone_page"])
def test_transcript_and_requirements_are_accessible(request, live_server, teen, screen):
    page: Page = request.getfixturevalue(screen)
    family, child = teen
    login(page, live_server, family.user)
    page.goto(live_server.url + reverse("students:details",
                                        kwargs={"public_id": child.public_id}))
    page.get_by_role("link", name=french("Transcript"), exact=True).click()
    expect(page.get_by_role("link", name=french("Transcript"), exact=True)) \
        .to_have_attribute("aria-current", "page")
    axe_check(page)
    if screen == "phone_page":
        assert_no_horizontal_scroll(page)

    page.get_by_role("link", name=Programme.objects.get(code="deso-2024").name_fr).click()
    label = chart_label(2) % {"name": "Français", "earned": "2", "required": "4",
                              "in_progress": "1"}
    expect(page.get_by_role("img", name=label)).to_be_visible()
    bar = page.locator("svg.progress-bar").first
    assert bar.bounding_box()["width"] > 200
    axe_check(page)
    if screen == "phone_page":
        assert_no_horizontal_scroll(page)
