"""Signaler une absence in Chromium, in French on a 360 px phone: from Assiduité, two sick
children in one step, shown back in Assiduité; from the home page, the child ticked there;
and the school's list of today's reports, recorded in one click. axe (WCAG 2.1 A and AA) on
both forms, on Assiduité and on the list."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from absences.forms import KIND_PARTS
from absences.models import AbsenceReport, Reason
from students.models import AttendanceRecord
from tests import factories
from tests.absences.conftest import MONDAY
from tests.browser.conftest import assert_no_horizontal_scroll, axe_check, login
from tests.browser.test_admin_linking import admin_login
from tests.pages import french
from tests.staff import make_staff
from tests.staff_session import totp_secret_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def monday_morning():
    """Monday 30 November 2026, 7:30 in Toronto, then ticking (the server thread too)."""
    with time_machine.travel(datetime.datetime.combine(
            MONDAY, datetime.time(7, 30), ZoneInfo("America/Toronto"))):
        yield


@pytest.fixture
def board(family, monday_morning, reasons):
    factories.SchoolYearFactory()
    factories.AttendanceCodeFactory(code="ABS")
    factories.AttendanceCodeFactory(code="RTM", label_fr="Retard motivé",
                                    label_en="Excused late", kind="late")
    return family


def test_a_parent_reports_two_sick_children_from_a_phone(phone_page: Page, live_server,
                                                         board):
    page = phone_page
    first, second = board.children
    login(page, live_server, board.user)
    page.goto(live_server.url + reverse("students:attendance",
                                        kwargs={"public_id": first.public_id}))
    page.get_by_role("link", name=french("Report an absence")).click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    axe_check(page)
    assert_no_horizontal_scroll(page)

    # Only the chosen kind's fields show; the radios move with the arrow keys.
    days = page.get_by_label(french("Whole day or several days"))
    picked_up = page.get_by_label(french("Who picks the child up (early departure)"))
    at_time = page.get_by_label(french("Expected arrival or departure time"))
    last_day = page.get_by_label(french("Last day"))
    expect(days).to_be_checked()
    expect(days).to_have_attribute("aria-controls", KIND_PARTS)
    expect(last_day).to_be_visible()
    expect(picked_up).to_be_hidden()
    expect(at_time).to_be_hidden()
    expect(page.get_by_role("group", name=french("Periods missed"))).to_be_hidden()
    days.focus()
    for _step in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name=french("Early departure"))).to_be_checked()
    expect(picked_up).to_be_visible()
    expect(at_time).to_be_visible()
    expect(last_day).to_be_hidden()
    axe_check(page)
    assert_no_horizontal_scroll(page)
    picked_up.fill("Sa grand-mère")  # then not sent: a days report has no one to pick up
    page.keyboard.press("Shift+Tab")  # back to the radios
    page.get_by_role("radio", name=french("Some periods")).check()
    expect(page.get_by_role("group", name=french("Periods missed"))).to_be_visible()
    expect(picked_up).to_be_hidden()

    page.get_by_label(f"{second.first_name} {second.last_name}").check()
    days.check()
    expect(picked_up).to_be_hidden()
    page.get_by_label(french("Date (or first day)")).fill(MONDAY.isoformat())
    page.get_by_label(french("Reason")).select_option("illness")
    page.get_by_label(french("Note for the school (optional)")).fill("Gastro, les deux.")
    page.get_by_role("button", name=french("Send the report")).click()

    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator(".absence-report")).to_contain_text("Gastro, les deux.")
    axe_check(page)
    assert_no_horizontal_scroll(page)
    assert sorted(AbsenceReport.objects.values_list("student", flat=True)) == sorted(
        [first.pk, second.pk])
    assert set(AbsenceReport.objects.values_list("kind", "picked_up_by")) == {("days", "")}


def test_from_the_home_page_the_parent_ticks_the_child_to_report(phone_page: Page,
                                                              live_server, board):
    # Not inside one child's pages: no child ticked ahead, none's header.
    page = phone_page
    first, second = board.children
    login(page, live_server, board.user)
    page.get_by_role("link", name=french("Report an absence")).click()
    page.wait_for_url("**" + reverse("absences:report_family"))
    expect(page.get_by_role("heading", level=1)).to_have_text(french("Report an absence"))
    for child in (first, second):
        expect(page.get_by_label(f"{child.first_name} {child.last_name}")).not_to_be_checked()
    axe_check(page)
    assert_no_horizontal_scroll(page)

    page.get_by_label(f"{second.first_name} {second.last_name}").check()
    page.get_by_label(french("Date (or first day)")).fill(MONDAY.isoformat())
    page.get_by_label(french("Reason")).select_option("illness")
    page.get_by_role("button", name=french("Send the report")).click()

    page.wait_for_url("**" + reverse("students:attendance",
                                     kwargs={"public_id": second.public_id}))
    expect(page.locator(".message--success")).to_be_visible()
    assert list(AbsenceReport.objects.values_list("student", flat=True)) == [second.pk]


def test_without_javascript_every_field_shows_and_the_server_decides(browser: Browser,
                                                                     live_server, board):
    context = browser.new_context(locale="fr-CA", viewport={"width": 360, "height": 780},
                                  java_script_enabled=False, timezone_id="America/Toronto")
    page = context.new_page()
    child = board.children[0]
    login(page, live_server, board.user)
    page.goto(live_server.url + reverse("absences:report",
                                        kwargs={"public_id": child.public_id}))
    at_time = page.get_by_label(french("Expected arrival or departure time"))
    for field in (at_time, page.get_by_label(french("Last day")),
                  page.get_by_label(french("Who picks the child up (early departure)"))):
        expect(field).to_be_visible()
    expect(page.get_by_label(french("Date (or first day)"))).to_have_value(MONDAY.isoformat())
    page.get_by_role("radio", name=french("Late arrival")).check()
    page.get_by_role("button", name=french("Send the report")).click()
    expect(page.get_by_text(french("Give the time."))).to_be_visible()
    assert not AbsenceReport.objects.exists()

    page.get_by_label(french("Expected arrival or departure time")).fill("09:45")
    page.get_by_role("button", name=french("Send the report")).click()
    expect(page.locator(".message--success")).to_be_visible()
    context.close()
    report = AbsenceReport.objects.get()
    assert (report.kind, report.at_time) == ("late", datetime.time(9, 45))


def test_the_school_records_todays_report_from_its_list(phone_page: Page, live_server,
                                                        board):
    page = phone_page
    child = board.children[0]
    AbsenceReport.objects.create(student=child, reported_by=board.user, kind="days",
                                 start_date=MONDAY, end_date=MONDAY,
                                 reason=Reason.objects.get(code="illness"),
                                 late=True)
    secretary = make_staff("secretariat", first_name="Sophie", schools=[child.school])
    secret = totp_secret_for(secretary)
    listing = reverse("admin:absences_absencereport_changelist")
    admin_login(page, live_server, secretary, secret, listing)
    expect(page.locator("#result_list")).to_contain_text(str(child))
    axe_check(page)

    page.get_by_role("button", name=french("Record as attendance")).click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert AttendanceRecord.objects.filter(student=child, date=MONDAY,
                                           code__code="ABS").exists()
