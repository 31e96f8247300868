"""Signaler une absence, as a parent: who may, one child or several, the cut-off, bad
input (a clear message, nothing stored), changing and cancelling until it starts, and the
report shown in Assiduité beside the school's record."""

import datetime
import re

import pytest
from django.conf import settings
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone, translation

from absences import services
from absences.models import AbsenceReport, DayOff, Reason
from notifications.events import deliveries_send
from notifications.models import Category, Event, Subscription, Timing
from outbox.delivery import render_email
from outbox.models import OutboundEmail
from students.models import SectionEnrolment, Student
from tests import factories
from tests.absences.conftest import MONDAY, at
from tests.pages import french, html_of

pytestmark = pytest.mark.django_db


def report_url(child: Student) -> str:
    return reverse("absences:report", kwargs={"public_id": child.public_id})


def attendance_url(child: Student) -> str:
    return reverse("students:attendance", kwargs={"public_id": child.public_id})


def sick(*children: Student, **changes) -> dict:
    data = {"children": [child.pk for child in children], "kind": "days",
            "start_date": MONDAY.isoformat(), "end_date": "", "reason": "illness",
            "note": "Fièvre depuis hier soir."}
    data.update(changes)
    return data


def test_a_parent_reports_two_sick_children_in_one_step(client, alice):
    first, second = alice.children
    with at(7, 30):
        response = client.post(report_url(first), sick(first, second))

    assert response.status_code == 302
    assert response["Location"] == attendance_url(first)
    reports = list(AbsenceReport.objects.order_by("student__pk"))
    assert [report.student for report in reports] == [first, second]
    assert reports[0].batch == reports[1].batch
    assert all(not report.late and report.reported_by == alice.user for report in reports)
    # The confirmation: an event for each child, emailed per the parents' choices.
    events = Event.objects.filter(category=Category.ATTENDANCE)
    assert sorted(event.student_id for event in events) == [first.pk, second.pk]
    assert {event.detail["kind"] for event in events} == {"reported"}


def test_after_the_cut_off_the_report_is_taken_and_marked_late(client, alice):
    child = alice.children[0]
    with at(9, 45):
        response = client.post(report_url(child), sick(child), follow=True)

    report = AbsenceReport.objects.get()
    assert report.late
    page = html_of(response)
    assert french("It was made after the school's cut-off time: the school sees it marked "
                  "as reported late.") in page


def test_the_report_form_offers_the_other_children_and_shows_on_the_home_page(client, alice):
    with at(7, 30):
        home = html_of(client.get(reverse("home")))
        assert reverse("absences:report_family") in home
        page = html_of(client.get(reverse("absences:report_family")))
    for child in alice.children:  # offered, none ticked ahead
        box = re.search(rf'<input type="checkbox" name="children" value="{child.pk}"[^>]*>', page)
        assert box and "checked" not in box.group(0)
    assert french("Report an absence") in page
    assert 'class="child-meta"' not in page  # not inside one child's pages


def test_a_report_from_the_home_page_leads_to_the_childs_assiduite(client, alice):
    first, second = alice.children
    with at(7, 30):
        response = client.post(reverse("absences:report_family"), sick(second))
    assert response["Location"] == attendance_url(second)
    assert list(AbsenceReport.objects.values_list("student", flat=True)) == [second.pk]


@pytest.mark.parametrize("custody, right, shown", [
    (True, False, True),    # custody
    (False, True, True),    # the right the school grants on the link
    (False, False, False),  # access rights only: sees the attendance, no form
])
def test_who_may_report(client, alice, custody, right, shown):
    link = alice.links[0]
    link.has_custody, link.has_access_rights, link.may_report_absences = custody, True, right
    link.save()
    child = alice.children[0]
    with at(7, 30):
        page = html_of(client.get(attendance_url(child)))
        form = client.get(report_url(child))
        posted = client.post(report_url(child), sick(child))

    assert (report_url(child) in page) is shown
    assert form.status_code == (200 if shown else 404)
    assert posted.status_code == (302 if shown else 404)
    assert AbsenceReport.objects.exists() is shown


@pytest.mark.parametrize("change", ["access_off", "adult", "withdrawn", "other_family"])
def test_a_child_the_parent_may_not_report_for_is_a_404(client, alice, other_family, change):
    child = alice.children[0]
    if change == "access_off":
        alice.links[0].portal_access = False
        alice.links[0].portal_access_off_reason = "Ordonnance du tribunal"
        alice.links[0].save()
    elif change == "adult":
        child.date_of_birth = datetime.date(2008, 1, 1)
        child.save()
    elif change == "withdrawn":
        child.status = Student.Status.WITHDRAWN
        child.save()
    else:
        child = other_family.children[0]
    with at(7, 30):
        assert client.get(report_url(child)).status_code == 404
        assert client.post(report_url(child), sick(child)).status_code == 404
    assert not AbsenceReport.objects.exists()


def test_another_familys_child_slipped_into_the_form_is_refused(client, alice, other_family):
    mine, theirs = alice.children[0], other_family.children[0]
    with at(7, 30):
        response = client.post(report_url(mine), sick(mine, theirs))
    assert response.status_code == 200
    assert not AbsenceReport.objects.exists()


BAD_INPUT = {
    "too_far_back": ({"start_date": "2026-11-20"},
                     "An absence can be reported up to %(days)s days back, from %(date)s on."),
    "end_before_start": ({"start_date": "2026-12-02", "end_date": "2026-12-01"},
                         "The last day cannot come before the first day."),
    "late_outside_the_day": ({"kind": "late", "at_time": "17:30"},
                             "The time must be within the school day (%(start)s to "
                             "%(end)s)."),
    "late_without_time": ({"kind": "late"}, "Give the time."),
    "weekend": ({"start_date": "2026-12-05"},
                "There is no school on %(date)s (weekend, holiday or P.A. day)."),
    "pa_day": ({"start_date": "2026-12-04"},
               "There is no school on %(date)s (weekend, holiday or P.A. day)."),
    "periods_missing": ({"kind": "periods"}, "Choose the periods missed."),
    "summer": ({"start_date": "2027-07-14"}, "This day is not in the school year: %(date)s."),
    "years_ahead": ({"start_date": "2031-01-06"},
                    "This day is not in the school year: %(date)s."),
    "past_the_year_s_end": ({"start_date": "2027-06-21", "end_date": "2027-07-05"},
                            "This day is not in the school year: %(date)s."),
    "unknown_reason": ({"reason": "vacances"}, "Choose a reason from the list."),
    "inactive_reason": ({"reason": "religious"}, "Choose a reason from the list."),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_gets_a_clear_message_and_nothing_is_stored(client, alice, case):
    changes, message = BAD_INPUT[case]
    child = alice.children[0]
    DayOff.objects.create(date=datetime.date(2026, 12, 4), school=child.school,
                          kind=DayOff.Kind.PA_DAY, label="Journée pédagogique")
    Reason.objects.filter(code="religious").update(active=False)
    with at(7, 30):
        response = client.post(report_url(child), sick(child, **changes))

    page = html_of(response)
    # The message's fixed words (its placeholders are filled in with dates and times).
    assert french(message).split("%(")[0].strip() in page
    assert not AbsenceReport.objects.exists()
    assert not Event.objects.exists()


def test_the_form_offers_the_active_reasons_in_the_parents_language(client, alice,
                                                                   reasons):
    Reason.objects.filter(code="religious").update(active=False)
    Reason.objects.create(code="snow", label_fr="Tempête de neige", label_en="Snowstorm",
                          order=5)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    child = alice.children[0]
    with at(7, 30):
        page = html_of(client.get(report_url(child)))

    select = page[page.index('name="reason"'):]
    select = select[:select.index("</select>")]
    offered = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select)
    assert offered[:2] == [("snow", "Snowstorm"), ("illness", "Illness")]
    assert "religious" not in dict(offered) and "Tempête" not in select
    assert len(offered) == len(reasons)  # the new one in, the deactivated one out


def test_a_deactivated_reason_stays_on_the_reports_that_have_it(client, alice, codes):
    child = alice.children[0]
    with at(7, 0, day=MONDAY - datetime.timedelta(days=3)):
        client.post(report_url(child), sick(child, reason="religious"))
        Reason.objects.filter(code="religious").update(active=False)
        report = AbsenceReport.objects.get()
        change_url = reverse("absences:report_change", kwargs={
            "public_id": child.public_id, "report_id": report.public_id})
        # Changed without touching the reason: it stays as it was.
        response = client.post(change_url, sick(child, reason="religious", note="Noël"))
        assert response.status_code == 302
        page = html_of(client.get(attendance_url(child)))
    report.refresh_from_db()
    assert (report.reason.code, report.note) == ("religious", "Noël")
    assert "Fête religieuse" in page


def test_a_reason_in_use_is_deactivated_not_deleted(alice, reasons):
    AbsenceReport.objects.create(student=alice.children[0], reported_by=alice.user,
                                 kind="days", start_date=MONDAY, end_date=MONDAY,
                                 reason=reasons["illness"])
    with pytest.raises(ProtectedError):
        reasons["illness"].delete()
    reasons["other"].delete()  # never used: the board may delete it
    assert Reason.objects.filter(code="illness").exists()


def test_a_note_over_500_characters_is_refused(client, alice):
    child = alice.children[0]
    with at(7, 30):
        response = client.post(report_url(child), sick(child, note="x" * 501))
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not AbsenceReport.objects.exists()


def test_the_report_is_changed_or_cancelled_until_it_starts(client, alice):
    child = alice.children[0]
    with at(7, 0, day=MONDAY - datetime.timedelta(days=3)):  # the Friday before
        client.post(report_url(child), sick(child))
        report = AbsenceReport.objects.get()
        change_url = reverse("absences:report_change", kwargs={
            "public_id": child.public_id, "report_id": report.public_id})
        # The form, its child switcher leading each child to their Assiduité.
        form_page = html_of(client.get(change_url))
        for each in alice.children:
            assert f'href="{attendance_url(each)}"' in form_page
        response = client.post(change_url, sick(child, kind="late", at_time="10:15",
                                                reason="medical"))
        assert response.status_code == 302
    report.refresh_from_db()
    assert (report.kind, report.at_time, report.reason.code) == (
        "late", datetime.time(10, 15), "medical")

    cancel_url = reverse("absences:report_cancel", kwargs={
        "public_id": child.public_id, "report_id": report.public_id})
    with at(8, 5):  # Monday: the school day has started
        client.logout()  # a new session: the Friday's has expired
        client.force_login(alice.user)
        page = html_of(client.post(change_url, sick(child), follow=True))
        assert french("This report can no longer be changed: it has started. "
                      "Call the school.") in page
        client.post(cancel_url)
    report.refresh_from_db()
    assert report.kind == "late" and report.cancelled_at is None

    with at(7, 50):
        client.logout()  # back in time: a session of its own
        client.force_login(alice.user)
        client.post(cancel_url)
    report.refresh_from_db()
    assert report.cancelled_at is not None
    assert [event.detail["kind"] for event in Event.objects.order_by("pk")] == [
        "reported", "changed", "cancelled"]


def test_assiduite_shows_the_report_beside_the_schools_record(client, alice, codes,
                                                             django_assert_num_queries):
    child = alice.children[0]
    with at(7, 30):
        client.post(report_url(child), sick(child))
    factories.AttendanceRecordFactory(student=child, date=MONDAY, code=codes["ABS"],
                                      reason="Maladie")
    with at(7, 40):
        client.get(attendance_url(child))  # the session's first-visit writes
        client.get(attendance_url(child))  # the year and its terms are cached
        # User (the session is cached), children, may report, reports, the school's times
        # (a report to change), the year's records (with the totals).
        with django_assert_num_queries(6):
            page = html_of(client.get(attendance_url(child)))

    assert french("What the guardians reported") in page
    assert "Fièvre depuis hier soir." in page
    assert french("What the school recorded") in page
    assert "Absence motivée" in page
    assert french("Cancel the report") in page


def test_in_english_a_boards_reason_the_school_recorded_is_in_english(client, alice, codes):
    child = alice.children[0]
    # A record made from a report keeps the reason's French label (services.reports_record);
    # a reason the school typed stays as typed.
    factories.AttendanceRecordFactory(student=child, date=MONDAY, code=codes["ABS"],
                                      reason="Maladie")
    factories.AttendanceRecordFactory(student=child, date=MONDAY - datetime.timedelta(days=3),
                                      code=codes["ABS"], reason="Gastro")
    client.cookies["django_language"] = "en"
    with at(7, 40):
        page = html_of(client.get(attendance_url(child)))
    assert "<td>Illness</td>" in page and "Maladie" not in page
    assert "<td>Gastro</td>" in page


def test_assiduite_shows_the_chosen_month_and_the_year_s_totals(client, alice, codes):
    child = alice.children[0]
    december = datetime.date(2026, 12, 7)
    with at(7, 30):
        client.post(report_url(child), sick(child, note="Grippe de novembre."))
        client.post(report_url(child), sick(child, start_date=december.isoformat(),
                                            note="Rendez-vous de décembre."))
    factories.AttendanceRecordFactory(student=child, date=MONDAY, code=codes["ABS"],
                                      reason="Motif de novembre")
    factories.AttendanceRecordFactory(student=child, date=december, code=codes["ABS"],
                                      reason="Motif de décembre")

    def shown(**query) -> set[str]:
        with at(7, 40):
            page = html_of(client.get(attendance_url(child), query))
        assert re.search(r"<dt>[^<]+</dt><dd>2</dd>", page)  # the year's days absent
        return {text for text in ("Grippe de novembre.", "Rendez-vous de décembre.",
                                  "Motif de novembre", "Motif de décembre") if text in page}

    assert shown(periode="2026-11") == {"Grippe de novembre.", "Motif de novembre"}
    assert shown(periode="2026-12") == {"Rendez-vous de décembre.", "Motif de décembre"}
    assert len(shown()) == 4  # the whole year


@pytest.mark.parametrize("timing", [Timing.IMMEDIATE, Timing.OFF])
def test_the_confirmation_follows_the_notification_choices(client, alice, timing):
    child = alice.children[0]
    Subscription.objects.create(user=alice.user, category=Category.ATTENDANCE, timing=timing)
    with at(7, 30):
        client.post(report_url(child), sick(child))
        deliveries_send(now=timezone.now() + datetime.timedelta(minutes=1))

    emails = list(OutboundEmail.objects.filter(template="notifications/event"))
    assert len(emails) == (1 if timing == Timing.IMMEDIATE else 0)
    for email in emails:
        message = render_email(email)
        assert french("Absence reported by a guardian for %(day)s").split("%(")[0] in (
            message.body)
        assert child.first_name in message.body and child.niso not in message.body


def test_the_form_is_in_the_reader_s_language_whichever_came_first(client, alice):
    # Formatted when the page is made: one language's words must not stay for the other.
    child = alice.children[0]
    for language in ("fr", "en", "fr"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        with at(7, 30):
            page = html_of(client.get(report_url(child)))
        with translation.override(language):
            assert translation.gettext("Period %(number)s") % {"number": 6} in page
            assert translation.gettext("Up to %(max)s characters.") % {"max": 500} in page


def test_the_school_day_s_times_end_the_message_with_one_period(client, alice):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    child = alice.children[0]
    with at(7, 30):
        page = html_of(client.post(report_url(child), sick(child, kind="late",
                                                           at_time="17:30")))
    assert "The time must be within the school day (8 a.m. to 3 p.m.)." in page
    assert not AbsenceReport.objects.exists()


def timetable(child: Student, year, periods: list[int]) -> None:
    section = factories.SectionFactory(term=factories.TermFactory(school=child.school,
                                                                  school_year=year))
    SectionEnrolment.objects.create(student=child, section=section)
    for period in periods:
        factories.MeetingFactory(section=section, period=period)


def offered_periods(client) -> list[str]:
    with at(7, 30):
        page = html_of(client.get(reverse("absences:report_family")))
    return re.findall(r'name="periods" value="(\d+)"', page)


def test_the_form_offers_the_children_s_periods_and_checks_each_child_s(client, alice, year):
    kindergarten, secondary = alice.children
    assert offered_periods(client) == ["1", "2", "3", "4", "5", "6"]  # no timetable yet
    timetable(kindergarten, year, [1, 3, 5])
    timetable(secondary, year, [1, 2, 3, 4])
    # Without JavaScript the children ticked are not known: every child's periods.
    assert offered_periods(client) == ["1", "2", "3", "4", "5"]

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def post(periods: list[int], *children: Student):
        with at(7, 30):
            return client.post(reverse("absences:report_family"), sick(
                *children, kind="periods", periods=periods))

    page = html_of(post([5], kindergarten, secondary))
    assert f"{secondary.first_name} has no period 5." in page
    assert f"{kindergarten.first_name} has no" not in page
    page = html_of(post([2, 4], kindergarten, secondary))
    assert f"{kindergarten.first_name} has no periods 2, 4." in page
    assert post([6], kindergarten).status_code == 200  # offered to none: refused
    assert not AbsenceReport.objects.exists()

    assert post([5], kindergarten).status_code == 302  # the kindergarten's own period
    assert post([1, 3], kindergarten, secondary).status_code == 302
    assert sorted(AbsenceReport.objects.values_list("student", "periods")) == sorted([
        (kindergarten.pk, [5]), (kindergarten.pk, [1, 3]), (secondary.pk, [1, 3])])


def test_a_report_cancelled_already_leads_back_to_assiduite(client, alice, other_family):
    child = alice.children[0]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with at(7, 0, day=MONDAY - datetime.timedelta(days=3)):
        client.post(report_url(child), sick(child))
        report = AbsenceReport.objects.get()
        urls = {name: reverse(f"absences:report_{name}", kwargs={
            "public_id": child.public_id, "report_id": report.public_id})
            for name in ("change", "cancel")}
        client.post(urls["cancel"])
        report.refresh_from_db()
        cancelled_at = report.cancelled_at
        # The second click, the stale tab's "Change" and its form sent again.
        for response in (client.post(urls["cancel"], follow=True),
                         client.get(urls["change"], follow=True),
                         client.post(urls["change"], sick(child, note="Autre"), follow=True)):
            assert response.redirect_chain == [(attendance_url(child), 302)]
            assert "This report is already cancelled." in html_of(response)

    report.refresh_from_db()
    assert (report.cancelled_at, report.note) == (cancelled_at, "Fièvre depuis hier soir.")
    assert [event.detail["kind"] for event in Event.objects.order_by("pk")] == [
        "reported", "cancelled"]
    # Another family's report, cancelled or not, is still a 404 for Alice.
    theirs = AbsenceReport.objects.create(
        student=other_family.children[0], reported_by=other_family.user, kind="days",
        start_date=MONDAY, end_date=MONDAY, reason=report.reason)
    for cancelled in (None, timezone.now()):
        AbsenceReport.objects.filter(pk=theirs.pk).update(cancelled_at=cancelled)
        for child_id in (child.public_id, other_family.children[0].public_id):
            kwargs = {"public_id": child_id, "report_id": theirs.public_id}
            with at(7, 0, day=MONDAY - datetime.timedelta(days=3)):
                assert client.post(reverse("absences:report_cancel",
                                           kwargs=kwargs)).status_code == 404
                assert client.get(reverse("absences:report_change",
                                          kwargs=kwargs)).status_code == 404


def test_a_double_click_cancels_once(alice, reasons):
    # Both requests read the report before either cancelled it: the second changes nothing.
    report = AbsenceReport.objects.create(student=alice.children[0], reported_by=alice.user,
                                          kind="days", start_date=MONDAY, end_date=MONDAY,
                                          reason=reasons["illness"])
    second_click = AbsenceReport.objects.get(pk=report.pk)
    assert services.report_cancel(report=report)
    assert not services.report_cancel(report=second_click,
                                      now=timezone.now() + datetime.timedelta(seconds=1))
    assert AbsenceReport.objects.get(pk=report.pk).cancelled_at == report.cancelled_at
    assert [event.detail["kind"] for event in Event.objects.all()] == ["cancelled"]


@pytest.mark.parametrize("periods, shown", [([1], "(period 1)"), ([1, 3], "(periods 1, 3)")])
def test_assiduite_names_one_period_or_several(client, alice, periods, shown):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    child = alice.children[0]
    with at(7, 30):
        client.post(report_url(child), sick(child, kind="periods", periods=periods))
        page = html_of(client.get(attendance_url(child)))
    assert AbsenceReport.objects.get().periods == periods
    title = re.search(r'class="absence-report__title">(.*?)</p>', page).group(1)
    assert title.endswith(f"30 November 2026 {shown}"), title
