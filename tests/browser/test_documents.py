"""Famille › Documents in Chromium, at 1280 px and 360 px: axe (WCAG 2.1 A and AA), no
sideways scrolling on a phone, and Télécharger saves the file under the naming rule. The
admin's publication of a period, confirmed on its own page first; a course's learning
skills rated on its line of a secondary report card."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from documents import publishing, selectors, services
from documents.models import ReportingPeriod
from tests.browser.conftest import assert_no_horizontal_scroll, axe_check, login
from tests.browser.test_admin_linking import admin_login
from tests.documents.conftest import LEARNING_SKILLS_MIGRATION
from tests.documents.factories import make_card, make_period
from tests.documents.test_documents_tab import board_form
from tests.pages import french
from tests.staff import make_staff
from tests.staff_session import totp_secret_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def with_report_cards(family, settings, tmp_path, monkeypatch):
    from django.apps import apps
    from django.core.files.storage import FileSystemStorage

    from documents.models import BoardForm, ReportCardFile

    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    for model in (ReportCardFile, BoardForm):
        monkeypatch.setattr(model._meta.get_field("file"), "storage", storage)
    LEARNING_SKILLS_MIGRATION.add_skills(apps, None)
    today = timezone.localdate()
    cards = []
    for child in family.children:
        kind = (ReportingPeriod.Kind.SECONDARY_MIDTERM if child.grade >= 9
                else ReportingPeriod.Kind.ELEMENTARY_PROVINCIAL)
        period = make_period(kind=kind, school=child.school, publication_date=today,
                             start_date=today - datetime.timedelta(days=60), end_date=today)
        card = make_card(period, child, lines=3)
        services.period_publish(period=period)
        publishing.report_card_render(card_id=card.pk)
        cards.append(card)
    board_form()
    return family, cards


@pytest.mark.parametrize("screen", ["page", "phone_page"])
def test_documents_tab_is_accessible_and_downloads_by_the_naming_rule(
        request, live_server, with_report_cards, screen):
    page: Page = request.getfixturevalue(screen)
    family, cards = with_report_cards
    login(page, live_server, family.user)
    for child, card in zip(family.children, cards, strict=True):
        page.goto(live_server.url + reverse("students:documents:list",
                                            kwargs={"public_id": child.public_id}))
        expect(page.get_by_role("link", name="Documents")).to_have_attribute(
            "aria-current", "page")
        axe_check(page)
        if page.viewport_size["width"] <= 360:
            assert_no_horizontal_scroll(page)
            # Télécharger shows on the phone's screen, without scrolling the table sideways.
            link = page.locator("main table a").first.bounding_box()
            assert link["x"] + link["width"] <= page.viewport_size["width"]
        with page.expect_download() as download:
            page.locator("main table a").first.click()
        assert download.value.suggested_filename == selectors.report_card_filename(card)


def test_a_secretary_confirms_a_publication_on_its_own_page(
        page: Page, live_server, family, tmp_path, monkeypatch, in_process_celery):
    from django.apps import apps
    from django.core.files.storage import FileSystemStorage

    from documents.models import ReportCardFile

    monkeypatch.setattr(ReportCardFile._meta.get_field("file"), "storage",
                        FileSystemStorage(location=tmp_path / "private", base_url=None))
    LEARNING_SKILLS_MIGRATION.add_skills(apps, None)
    child = family.children[0]
    period = make_period(school=child.school, publication_date=datetime.date(2027, 2, 5))
    make_card(period, child, lines=2)
    secretary = make_staff("secretariat", schools=[child.school])
    changelist = reverse("admin:documents_reportingperiod_changelist")

    admin_login(page, live_server, secretary, totp_secret_for(secretary), changelist)
    page.locator("input.action-select").first.check()
    page.locator("select[name=action]").select_option("publish_periods")
    page.locator("button[name=index]").click()
    when = french("Parents will see these report cards from %(date)s.") % {
        "date": "5 février 2027"}
    expect(page.locator("#content")).to_contain_text(when)
    expect(page.locator("#content")).to_contain_text(str(period))
    assert_no_horizontal_scroll(page)
    axe_check(page, preload=False)
    period.refresh_from_db()
    assert period.published_at is None

    page.get_by_role("button", name=french("Yes, publish")).click()
    expect(page.locator(".messagelist")).to_contain_text(when)
    period.refresh_from_db()
    assert period.published_at is not None


def test_a_secretary_rates_a_courses_learning_skills_on_its_line(
        page: Page, live_server, family):
    from django.apps import apps

    LEARNING_SKILLS_MIGRATION.add_skills(apps, None)
    child = family.children[1]  # Grade 10
    card = make_card(make_period(kind=ReportingPeriod.Kind.SECONDARY_MIDTERM,
                                 school=child.school), child, lines=1)
    line = card.lines.get()
    line.skills.filter(skill__code="autonomie").delete()
    secretary = make_staff("secretariat", schools=[child.school])
    change = reverse("admin:documents_reportcard_change", args=[card.pk])

    admin_login(page, live_server, secretary, totp_secret_for(secretary), change)
    axe_check(page, preload=False)
    page.get_by_label("Autonomie", exact=True).first.select_option("E")  # the course's row
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert line.skills.get(skill__code="autonomie").rating == "E"
