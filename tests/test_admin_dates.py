"""The admin writes dates and times as the rest of the portal does (portail.admin_display):
« 1er janvier 2027 », « 10 h », « 30 novembre 2026 à 7 h 30 », in its lists, its read-only
fields and the names of its rows, not Django's « 1 janvier 2027 » and « 10 h 00 »."""

import datetime
import re

import pytest
from django.urls import reverse

from absences.models import AbsenceReport, DayOff, Reason
from tests import factories
from tests.pages import html_of
from tests.staff import staff_login

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's words, one space between them (no-break spaces too)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html_of(response)).split())


def test_a_list_writes_the_first_of_the_month_as_french_does(client, secretary):
    DayOff.objects.create(date=datetime.date(2027, 1, 1), kind=DayOff.Kind.HOLIDAY,
                          label="Congé des Fêtes")
    staff_login(client, secretary)

    listing = text_of(client.get(reverse("admin:absences_dayoff_changelist")))

    assert "1er janvier 2027" in listing and "1 janvier 2027" not in listing
    # The date hierarchy above the list, at the month: its days.
    days = text_of(client.get(reverse("admin:absences_dayoff_changelist"),
                              {"date__year": 2027, "date__month": 1}))
    assert "1er janvier" in days and "1 janvier" not in days


def test_a_report_s_times_and_title_are_written_out(client, family, secretary, reasons):
    child = family.children[0]
    report = AbsenceReport.objects.create(
        student=child, reported_by=family.user, kind=AbsenceReport.Kind.LATE_ARRIVAL,
        start_date=datetime.date(2026, 12, 9), end_date=datetime.date(2026, 12, 9),
        at_time=datetime.time(10, 0), reason=Reason.objects.get(code="illness"),
        created_at=datetime.datetime(2026, 11, 30, 12, 30, tzinfo=datetime.UTC))
    staff_login(client, secretary)

    listing = text_of(client.get(reverse("admin:absences_absencereport_changelist"),
                                 {"jour": "all"}))
    page = text_of(client.get(reverse("admin:absences_absencereport_change",
                                      args=[report.pk])))

    for html in (listing, page):
        assert "30 novembre 2026 à 7 h 30" in html  # created at, in Toronto
        assert "10 h 00" not in html and "2026-12-09" not in html
    assert "Arrivée en retard 9 décembre 2026 10 h -" in listing  # the expected time
    assert "9 décembre 2026 Arrivée en retard" in page  # the report's name


def test_an_attendance_record_is_named_by_its_date_written_out(client, family, secretary):
    record = factories.AttendanceRecordFactory(student=family.children[0],
                                               date=datetime.date(2026, 12, 1))
    staff_login(client, secretary)

    page = text_of(client.get(reverse("admin:students_attendancerecord_change",
                                      args=[record.pk])))

    assert f"{family.children[0]} — 1er décembre 2026 {record.code.code}" in page
