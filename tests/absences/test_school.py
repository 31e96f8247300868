"""The school's side in the admin: today's reports within its schools, turned into
attendance records with the board's codes in one click or in bulk, and the late-not-absent
rule when a report and the teacher's attendance meet."""

import datetime
import re

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from absences import services
from absences.models import AbsenceReport, DayOff, Reason
from accounts.models import AuditEvent
from notifications.models import Event
from portail.formats import format_niso
from students.models import AttendanceRecord, SectionEnrolment
from tests import factories
from tests.absences.conftest import MONDAY, at
from tests.pages import french, french_plural, html_of
from tests.staff import BOARD_ADMINISTRATION, make_staff, staff_login

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:absences_absencereport_changelist"


def make_report(child, user, **fields) -> AbsenceReport:
    values = {"kind": "days", "start_date": MONDAY, "end_date": MONDAY, "reason": "illness",
              "created_at": datetime.datetime(2026, 11, 30, 12, 30, tzinfo=datetime.UTC)}
    values.update(fields)
    values["reason"] = Reason.objects.get(code=values["reason"])
    return AbsenceReport.objects.create(student=child, reported_by=user, **values)


def records_of(child) -> list[tuple]:
    return list(AttendanceRecord.objects.filter(student=child).order_by("date", "period")
                .values_list("date", "period", "code__code", "minutes_late"))


def test_a_days_report_becomes_excused_absences_on_school_days_only(alice, secretary):
    child = alice.children[0]
    # Friday to Monday: the weekend between gets no record.
    report = make_report(child, alice.user, start_date=MONDAY - datetime.timedelta(days=3))
    with at(8, 30):
        assert services.reports_record(report_ids=[report.pk], actor=secretary) == 1

    assert records_of(child) == [(MONDAY - datetime.timedelta(days=3), None, "ABS", None),
                                 (MONDAY, None, "ABS", None)]
    report.refresh_from_db()
    assert report.recorded_by == secretary and report.recorded_at is not None
    assert AuditEvent.objects.filter(action="absence_report_recorded").count() == 1
    # Recorded once: a second click changes nothing.
    assert services.reports_record(report_ids=[report.pk], actor=secretary) == 0


def test_the_teachers_absences_of_the_day_get_the_reason(alice, secretary, codes):
    child = alice.children[1]
    factories.AttendanceRecordFactory(student=child, date=MONDAY, period=1, code=codes["ANM"])
    report = make_report(child, alice.user)
    periods = make_report(child, alice.user, kind="periods", periods=[3, 4],
                          start_date=MONDAY + datetime.timedelta(days=1),
                          end_date=MONDAY + datetime.timedelta(days=1))
    with at(8, 30):
        services.reports_record(report_ids=[report.pk, periods.pk], actor=secretary)

    tuesday = MONDAY + datetime.timedelta(days=1)
    assert records_of(child) == [(MONDAY, 1, "ABS", None), (tuesday, 3, "ABS", None),
                                 (tuesday, 4, "ABS", None)]


def test_a_mornings_reports_cost_the_same_queries_whatever_their_number(alice, secretary,
                                                                        codes):
    first, second = alice.children

    def reports(days: range) -> list[int]:
        made = []
        for offset in days:
            day = MONDAY + datetime.timedelta(days=offset)
            # The teacher's absence gets the reason; a report then a late arrival the same
            # day (two guardians) ends as the late arrival, in one record.
            factories.AttendanceRecordFactory(student=second, date=day, period=1,
                                              code=codes["ANM"])
            made += [make_report(second, alice.user, start_date=day, end_date=day),
                     make_report(first, alice.user, start_date=day, end_date=day),
                     make_report(first, alice.user, kind="late", start_date=day,
                                 end_date=day, at_time=datetime.time(8, 30))]
        return [report.pk for report in made]

    counts = []
    for days in (range(1), range(1, 5)):
        ids = reports(days)
        with at(8, 30), CaptureQueriesContext(connection) as captured:
            assert services.reports_record(report_ids=ids, actor=secretary) == len(ids)
        counts.append(len(captured))
    assert counts[0] == counts[1]

    week = [MONDAY + datetime.timedelta(days=offset) for offset in range(5)]
    assert records_of(first) == [(day, None, "RTM", 30) for day in week]
    assert records_of(second) == [(day, 1, "ABS", None) for day in week]
    # New records only are news for the parents: the late arrivals, one a day; the
    # teacher's absences were told when taken, their reason added tells nothing more.
    assert sorted(Event.objects.filter(student=first).values_list("detail__kind", flat=True)
                  ) == ["late"] * 5
    assert Event.objects.filter(student=second).count() == 5
    assert AuditEvent.objects.filter(action="absence_report_recorded").count() == 15


@pytest.mark.parametrize("taken", ["day", "first_period", "nothing"])
def test_a_child_reported_late_and_marked_absent_becomes_late(alice, secretary, codes, taken):
    child = alice.children[0]
    if taken == "day":
        factories.AttendanceRecordFactory(student=child, date=MONDAY, code=codes["ANM"])
    elif taken == "first_period":
        factories.AttendanceRecordFactory(student=child, date=MONDAY, period=1,
                                          code=codes["ANM"])
    report = make_report(child, alice.user, kind="late", at_time=datetime.time(9, 15),
                         reason="medical")
    with at(9, 20):
        services.reports_record(report_ids=[report.pk], actor=secretary)

    period = 1 if taken == "first_period" else None
    # Late, not absent all day: 75 minutes after the school day's start (8:00).
    assert records_of(child) == [(MONDAY, period, "RTM", 75)]
    # The board's reason, in the portal's language (staff and report cards read it).
    assert AttendanceRecord.objects.get(student=child).reason == "Rendez-vous médical ou dentaire"


def test_the_schools_list_shows_todays_reports_and_records_in_one_click(
        client, alice, secretary, other_family):
    child = alice.children[0]
    child.homeroom = "4B"
    child.save()
    late = make_report(child, alice.user, late=True)
    make_report(child, alice.user, start_date=MONDAY + datetime.timedelta(days=7),
                end_date=MONDAY + datetime.timedelta(days=7), reason="family")
    elsewhere = make_report(other_family.children[0], other_family.user)
    with at(9, 50):
        staff_login(client, secretary)
        page = html_of(client.get(reverse(CHANGELIST)))
        assert "4B" in page and str(child) in page
        assert str(other_family.children[0]) not in page
        assert page.count('formaction="') == 1  # today's report only, not next week's
        assert 'alt="True"' in page  # reported late

        response = client.post(reverse("admin:absences_absencereport_record",
                                       args=[late.pk]), follow=True)
        assert "1" in html_of(response)
        # Another school's report: as if it did not exist.
        assert client.post(reverse("admin:absences_absencereport_record",
                                   args=[elsewhere.pk])).status_code == 404

    assert records_of(child) == [(MONDAY, None, "ABS", None)]
    assert records_of(other_family.children[0]) == []
    elsewhere.refresh_from_db()
    assert elsewhere.recorded_at is None


def test_recording_one_report_keeps_the_list_s_filters(client, alice, secretary):
    # Going through every day's reports, the school records one and stays on that list.
    child = alice.children[0]
    report = make_report(child, alice.user, start_date=MONDAY - datetime.timedelta(days=3),
                         end_date=MONDAY - datetime.timedelta(days=3))
    with at(9, 0):
        staff_login(client, secretary)
        page = html_of(client.get(reverse(CHANGELIST), {"jour": "all", "kind": "days"}))
        action = re.search(r'formaction="([^"]+)"', page).group(1)
        response = client.post(action, {"report": report.pk})
        page = html_of(client.get(response["Location"]))

    assert response["Location"] == reverse(CHANGELIST) + "?jour=all&kind=days"
    assert french_plural("%(count)s report recorded as attendance.",
                         "%(count)s reports recorded as attendance.", 1) % {"count": 1} in page
    assert records_of(child) == [(MONDAY - datetime.timedelta(days=3), None, "ABS", None)]


def test_the_bulk_action_records_the_selected_reports(client, alice, secretary):
    first, second = alice.children
    reports = [make_report(first, alice.user), make_report(second, alice.user)]
    with at(9, 0):
        staff_login(client, secretary)
        client.post(reverse(CHANGELIST), {"action": "record_selected",
                                          "_selected_action": [r.pk for r in reports]})
    assert records_of(first) == [(MONDAY, None, "ABS", None)]
    assert records_of(second) == [(MONDAY, None, "ABS", None)]


def test_a_missing_code_is_said_and_nothing_recorded(client, alice, secretary, settings):
    settings.ABSENCES_ATTENDANCE_CODES = {"absent": "ZZZ", "late": "RTM"}
    report = make_report(alice.children[0], alice.user)
    with at(9, 0):
        staff_login(client, secretary)
        page = html_of(client.post(reverse("admin:absences_absencereport_record",
                                           args=[report.pk]), follow=True))
    assert french("The attendance code %(code)s is missing from the board's codes.") % {
        "code": "ZZZ"} in page
    report.refresh_from_db()
    assert report.recorded_at is None and not AttendanceRecord.objects.exists()


@pytest.mark.parametrize("count", [1, 12])
def test_the_schools_list_costs_the_same_queries_whatever_the_number(
        client, alice, secretary, django_assert_num_queries, count):
    for index in range(count):
        make_report(alice.children[index % 2], alice.user)
    with at(9, 0):
        staff_login(client, secretary)
        client.get(reverse(CHANGELIST))  # the session's first-visit writes
        # User, its TOTP device, staff schools, user and group permissions, the school
        # filter's choices, the count and the rows (their students joined).
        with django_assert_num_queries(8):
            response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200


def test_the_actual_arrival_counts_and_the_expected_time_stays(client, alice, secretary,
                                                               codes):
    child = alice.children[0]
    factories.AttendanceRecordFactory(student=child, date=MONDAY, period=1, code=codes["ANM"])
    report = make_report(child, alice.user, kind="late", at_time=datetime.time(9, 15))
    change = reverse("admin:absences_absencereport_change", args=[report.pk])
    with at(10, 35):
        staff_login(client, secretary)
        assert 'name="arrived_at"' in html_of(client.get(change))
        client.post(change, {"arrived_at": "10:30"})
        listing = html_of(client.get(reverse(CHANGELIST)))
        services.reports_record(report_ids=[report.pk], actor=secretary)

    report.refresh_from_db()
    assert (report.at_time, report.arrived_at) == (datetime.time(9, 15), datetime.time(10, 30))
    assert "9\xa0h\xa015" in listing
    assert "10\xa0h\xa030" in listing
    # Late (not absent) by the time the school saw: 150 minutes after 8:00.
    assert records_of(child) == [(MONDAY, 1, "RTM", 150)]
    assert AuditEvent.objects.filter(object_id=str(report.pk)).exists()
    # Recorded: the arrival is no longer the school's to change.
    with at(10, 40):
        assert 'name="arrived_at"' not in html_of(client.get(change))


def test_only_a_late_arrival_has_an_arrival_time(alice):
    with pytest.raises(IntegrityError):
        make_report(alice.children[0], alice.user, arrived_at=datetime.time(10, 30))


def test_an_early_departure_covers_every_period_from_the_departure_on(alice, secretary):
    """Bell times from the child's timetable that Monday: 8:15, 9:35, 11:40, 13:00, 14:15;
    leaving at 13:00 misses the last two, and the period the parent ticked too."""
    child = alice.children[1]
    term = factories.TermFactory(school=child.school)
    for period, hour, minute in [(1, 8, 15), (2, 9, 35), (3, 11, 40), (4, 13, 0),
                                 (5, 14, 15)]:
        meeting = factories.MeetingFactory(
            section__term=term, period=period, start_time=datetime.time(hour, minute),
            end_time=datetime.time(hour, minute + 10))
        SectionEnrolment.objects.create(student=child, section=meeting.section)
    # Tuesday's periods do not count.
    tuesday = factories.MeetingFactory(section__term=term, day=2, period=6,
                                       start_time=datetime.time(15, 0),
                                       end_time=datetime.time(15, 30))
    SectionEnrolment.objects.create(student=child, section=tuesday.section)
    report = make_report(child, alice.user, kind="early", at_time=datetime.time(13, 0),
                         periods=[2], picked_up_by="Sa grand-mère")
    with at(8, 30):
        services.reports_record(report_ids=[report.pk], actor=secretary)

    assert records_of(child) == [(MONDAY, 2, "ABS", None), (MONDAY, 4, "ABS", None),
                                 (MONDAY, 5, "ABS", None)]


def test_a_reason_records_its_own_codes(alice, secretary, codes, reasons):
    """The board maps « Problème de transport » to an unexcused absence: its code, not the
    usual one; a late arrival without its own code keeps the usual retard motivé."""
    transport = reasons["transport"]
    transport.absence_code = codes["ANM"]
    transport.save()
    child = alice.children[0]
    absent = make_report(child, alice.user, reason="transport")
    late = make_report(alice.children[1], alice.user, kind="late", reason="transport",
                       at_time=datetime.time(8, 30))
    with at(8, 30):
        services.reports_record(report_ids=[absent.pk, late.pk], actor=secretary)

    assert records_of(child) == [(MONDAY, None, "ANM", None)]
    assert records_of(alice.children[1]) == [(MONDAY, None, "RTM", 30)]


def test_the_board_edits_the_reasons_and_schools_read_them(client, secretary, reasons):
    illness = reasons["illness"]
    change = reverse("admin:absences_reason_change", args=[illness.pk])
    edited = {"code": "illness", "label_fr": "Maladie", "label_en": "Illness",
              "absence_code": "", "late_code": "", "order": "10"}  # active unticked
    staff_login(client, secretary)
    listing = html_of(client.get(reverse("admin:absences_reason_changelist")))
    assert "Rendez-vous médical ou dentaire" in listing
    assert reverse("admin:absences_reason_add") not in listing
    assert client.post(change, edited).status_code == 403
    assert Reason.objects.get(pk=illness.pk).active

    board = make_staff("conseil", board_level=True, group=BOARD_ADMINISTRATION)
    staff_login(client, board)
    assert client.post(change, edited).status_code == 302
    assert not Reason.objects.get(pk=illness.pk).active
    assert AuditEvent.objects.filter(actor=board, object_id=str(illness.pk)).exists()


def test_a_school_reads_the_board_s_days_off_and_changes_only_its_own(client, family,
                                                                       secretary):
    school = family.children[0].school
    board_day = DayOff.objects.create(date=datetime.date(2026, 12, 4), kind=DayOff.Kind.PA_DAY,
                                      label="Journée pédagogique du conseil")
    own_day = DayOff.objects.create(date=datetime.date(2026, 12, 7), school=school,
                                    kind=DayOff.Kind.PA_DAY, label="Journée de l'école")
    staff_login(client, secretary)

    listing = html_of(client.get(reverse("admin:absences_dayoff_changelist")))
    board_page = html_of(client.get(reverse("admin:absences_dayoff_change",
                                            args=[board_day.pk])))
    own_page = html_of(client.get(reverse("admin:absences_dayoff_change", args=[own_day.pk])))

    assert "Journée pédagogique du conseil" in listing and "Journée de l'école" in listing
    assert 'name="label"' not in board_page and 'name="label"' in own_page
    # Read only, without the field's "leave empty" help, which is for the board.
    assert french("Leave empty for every school of the board.") not in board_page
    assert "4 décembre 2026 Journée pédagogique du conseil" in board_page  # its title
    assert client.post(reverse("admin:absences_dayoff_delete", args=[board_day.pk]),
                       {"post": "yes"}).status_code == 403
    assert DayOff.objects.filter(pk=board_day.pk, school=None).exists()


def test_a_school_day_off_that_repeats_the_board_s_is_refused(client, family, secretary):
    school = family.children[0].school
    DayOff.objects.create(date=datetime.date(2026, 12, 4), kind=DayOff.Kind.PA_DAY)
    add = reverse("admin:absences_dayoff_add")
    staff_login(client, secretary)

    form = html_of(client.get(add))
    page = html_of(client.post(add, {"date": "2026-12-04", "school": str(school.pk),
                                     "kind": "pa_day", "label": "Journée pédagogique"}))

    assert french("Leave empty for every school of the board.") not in form
    assert french("This date is already a day without school for every school of the "
                  "board.") in page
    assert not DayOff.objects.filter(school=school).exists()


def test_the_reports_are_found_by_oen_or_preferred_name(client, alice, secretary):
    child, sibling = alice.children
    child.preferred_first_name = "Zaza"
    child.save()
    report = make_report(child, alice.user)
    make_report(sibling, alice.user)
    staff_login(client, secretary)

    def found(term: str) -> list:
        response = client.get(reverse(CHANGELIST), {"jour": "all", "q": term})
        return list(response.context["cl"].result_list)

    assert found(format_niso(child.niso)) == [report]
    assert found(child.niso) == [report]
    assert found("zaza") == [report]
