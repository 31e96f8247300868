"""The home page, a group page, the Notification tab and the unsubscribe page in Chromium,
in French and English, at 1280 px and 360 px: axe (WCAG 2.1 A and AA) finds nothing and
nothing scrolls sideways on a phone."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from notifications.events import unsubscribe_token
from notifications.models import Group
from tests.browser.conftest import assert_no_horizontal_scroll, axe_check, login
from tests.notifications.document_factories import published_report_card
from tests.notifications.group_factories import AnnouncementFactory, GroupFactory, attach
from tests.students import famille_factories
from tests.students.famille_factories import TODAY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("famille_today")]


@pytest.fixture
def news(family, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    famille_factories.furnish_family(family, attendance=2, sections=2)
    board = GroupFactory(kind=Group.Kind.BOARD, name="Conseil des écoles")
    school = GroupFactory(kind=Group.Kind.SCHOOL, school=family.children[0].school,
                          name="École des Tremblay")
    for number in range(12):
        AnnouncementFactory(group=school if number % 2 else board, title=f"Annonce {number}",
                            body="Un **texte** avec un [lien](https://example.com) et une "
                                 "liste :\n\n- un\n- deux")
    attach(AnnouncementFactory(group=school, title="Sortie", pinned=True), "sortie.pdf")
    for days_ago, child in enumerate(family.children):  # the second one corrected
        published_report_card(child, version=1 + days_ago,
                              publication_date=TODAY - datetime.timedelta(days=days_ago))
    return family, school


@pytest.mark.parametrize("screen", ["page", "phone_page"])
def test_pages_pass_axe_in_both_languages(request, live_server, news, screen):
    page: Page = request.getfixturevalue(screen)
    family, school = news
    child = family.children[0]
    login(page, live_server, family.user)
    urls = [
        reverse("home"),
        reverse("notifications:group", kwargs={"public_id": school.public_id}),
        reverse("notifications:group", kwargs={"public_id": school.public_id}) + "?page=2",
        reverse("notifications:child", kwargs={"public_id": child.public_id}),
        reverse("notifications:family"),
        reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(
            user_id=family.user.pk, category="attendance")}),
    ]
    for language in ("fr", "en"):
        for url in urls:
            page.goto(live_server.url + url)
            expect(page.locator("html")).to_have_attribute("lang", language)
            axe_check(page)
            if page.viewport_size["width"] <= 360:
                assert_no_horizontal_scroll(page)
        page.goto(live_server.url + reverse("home"))
        page.locator(".language-switch button").click()
        page.wait_for_load_state()
    page.goto(live_server.url + reverse("home"))
    expect(page.get_by_role("link", name="École des Tremblay").first).to_be_visible()
    expect(page.locator(".recent-document")).to_have_count(2)


def test_choices_saved_from_the_tab(page: Page, live_server, news):
    family, _school = news
    child = family.children[0]
    login(page, live_server, family.user)
    page.goto(live_server.url + reverse("notifications:child",
                                        kwargs={"public_id": child.public_id}))
    expect(page.locator("nav.side-tabs [aria-current=page]")).to_have_text("Notification")
    page.locator("#id_attendance_1").check()
    page.get_by_role("button", name="Save").or_(page.get_by_role("button",
                                                                   name="Enregistrer")).click()
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("#id_attendance_1")).to_be_checked()
