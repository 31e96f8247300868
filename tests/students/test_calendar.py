"""The private iCalendar link of Emploi du temps: made, shown, read by a calendar app,
revoked."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from absences.models import DayOff
from students.models import CalendarFeed, Meeting, Term, TimetablePublication
from tests import factories
from tests.students import famille_factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("famille_today")]

TORONTO = ZoneInfo("America/Toronto")


@pytest.fixture
def alice(client, family):
    famille_factories.furnish_family(family, sections=4)
    client.force_login(family.user)
    return family


@pytest.fixture
def child(alice):
    return alice.children[0]


def _link_url(child) -> str:
    return reverse("students:calendar_link", kwargs={"public_id": child.public_id})


def _calendar_page(client, child) -> str:
    response = client.get(reverse("students:calendar", kwargs={"public_id": child.public_id}))
    assert response.status_code == 200
    return response.content.decode()


def _feed_path(token: str) -> str:
    return reverse("students:calendar_feed", kwargs={"token": token})


def _ics(client, token: str) -> Calendar:
    response = client.get(_feed_path(token))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def test_create_shows_the_absolute_private_url(client, alice, child):
    assert 'id="calendar-url"' not in _calendar_page(client, child)
    response = client.post(_link_url(child), {"action": "create"})
    assert response.status_code == 302
    assert response["Location"] == reverse("students:calendar",
                                           kwargs={"public_id": child.public_id})
    feed = CalendarFeed.objects.get(user=alice.user, student=child)
    assert len(feed.token) >= 40
    page = _calendar_page(client, child)
    assert f'value="http://testserver{_feed_path(feed.token)}"' in page
    # Creating again keeps the same link (a calendar app already uses it).
    client.post(_link_url(child), {"action": "create"})
    assert CalendarFeed.objects.get(user=alice.user, student=child).token == feed.token


def test_revoke_kills_the_old_url_and_a_new_link_differs(client, alice, child):
    client.post(_link_url(child), {"action": "create"})
    old = CalendarFeed.objects.get(student=child).token
    assert client.get(_feed_path(old)).status_code == 200

    client.cookies["django_language"] = "en"
    response = client.post(_link_url(child), {"action": "revoke"}, follow=True)
    page = response.content.decode()
    assert "The calendar link has been revoked: it no longer works." in page
    assert 'id="calendar-url"' not in page
    assert client.get(_feed_path(old)).status_code == 404

    client.post(_link_url(child), {"action": "create"})
    new = CalendarFeed.objects.get(student=child).token
    assert new != old
    assert client.get(_feed_path(new)).status_code == 200
    assert client.get(_feed_path(old)).status_code == 404


def test_calendar_link_is_post_only(client, child):
    assert client.get(_link_url(child)).status_code == 405
    assert not CalendarFeed.objects.exists()


def test_feed_has_one_weekly_event_per_meeting_at_toronto_times(client, alice, child):
    feed = famille_factories.CalendarFeedFactory(user=alice.user, student=child)
    calendar = _ics(client, feed.token)
    events = calendar.walk("VEVENT")
    meetings = Meeting.objects.filter(section__enrolments__student=child)
    assert len(events) == meetings.count() == 4 * 5  # 4 sections, every weekday

    # A VTIMEZONE, so that apps without a zone database place the classes right.
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "America/Toronto"

    by_uid = {str(event["UID"]): event for event in events}
    for meeting in meetings.select_related("section__course", "section__term"):
        term = meeting.section.term
        event = by_uid[f"meeting-{meeting.pk}-term-{term.pk}@portail-famille"]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        # Local times in Toronto, on the meeting's weekday, in the first week of the term.
        assert start.tzinfo is not None and start.utcoffset() == start.astimezone(
            TORONTO).utcoffset()
        local = start.astimezone(TORONTO)
        assert (local.time(), end.astimezone(TORONTO).time()) == (meeting.start_time,
                                                                    meeting.end_time)
        assert local.isoweekday() == meeting.day
        assert term.start_date <= local.date() < term.start_date + datetime.timedelta(days=7)
        rule = event["RRULE"]
        assert rule["FREQ"] == ["WEEKLY"]
        # RFC 5545: UNTIL in UTC when DTSTART is local; the last class of the term.
        [until] = rule["UNTIL"]
        assert until.utcoffset() == datetime.timedelta(0)
        assert until.astimezone(TORONTO) == datetime.datetime.combine(
            term.end_date, meeting.end_time, TORONTO)
        course = meeting.section.course
        assert str(event["SUMMARY"]) == f"{course.code} {course.title_fr}"
        assert str(event["LOCATION"]) == meeting.section.room
        assert str(event["DESCRIPTION"]) == meeting.section.teacher_name
    # Both semesters: S2 begins on Monday 1 February 2027.
    assert datetime.date(2027, 2, 1) in {event.decoded("DTSTART").date() for event in events}


def test_monday_class_in_a_term_starting_on_wednesday_begins_the_next_monday(
        client, alice, child):
    feed = famille_factories.CalendarFeedFactory(user=alice.user, student=child)
    monday = Meeting.objects.filter(section__enrolments__student=child, day=1,
                                    section__term__code="S1").first()
    event = next(e for e in _ics(client, feed.token).walk("VEVENT")
                 if str(e["UID"]).startswith(f"meeting-{monday.pk}-"))
    # 2 September 2026 is a Wednesday: the first Monday class is on the 7th, 8:15 EDT.
    assert event.decoded("DTSTART") == datetime.datetime(2026, 9, 7, 8, 15, tzinfo=TORONTO)
    assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(hours=-4)


def test_days_without_school_are_left_out_of_the_weekly_classes(client, alice, child):
    """The absence form refuses them (« Il n'y a pas d'école le … »): the calendar must not
    show classes on them."""
    # The school's P.A. day (a Friday), the board's winter break (Mondays 21 and 28
    # December), a day off of another school, and a Monday of semester 2.
    DayOff.objects.create(date=datetime.date(2026, 12, 4), school=child.school,
                          kind=DayOff.Kind.PA_DAY)
    for day in (datetime.date(2026, 12, 21), datetime.date(2026, 12, 28)):
        DayOff.objects.create(date=day, kind=DayOff.Kind.HOLIDAY)
    DayOff.objects.create(date=datetime.date(2026, 12, 7), school=factories.SchoolFactory(),
                          kind=DayOff.Kind.PA_DAY)
    DayOff.objects.create(date=datetime.date(2027, 2, 15), kind=DayOff.Kind.HOLIDAY)
    feed = famille_factories.CalendarFeedFactory(user=alice.user, student=child)
    response = client.get(_feed_path(feed.token))
    events = {str(event["UID"]): event
              for event in Calendar.from_ical(response.content).walk("VEVENT")}

    def excluded(meeting: Meeting) -> list[datetime.datetime]:
        event = events[f"meeting-{meeting.pk}-term-{meeting.section.term_id}@portail-famille"]
        return event.exdates

    def at(day: datetime.date, meeting: Meeting) -> datetime.datetime:
        return datetime.datetime.combine(day, meeting.start_time, TORONTO)

    meetings = Meeting.objects.filter(section__enrolments__student=child)
    for meeting in meetings.filter(section__term__code="S1", day=5):
        assert excluded(meeting) == [at(datetime.date(2026, 12, 4), meeting)]
    for meeting in meetings.filter(section__term__code="S1", day=1):
        assert excluded(meeting) == [at(datetime.date(2026, 12, 21), meeting),
                                     at(datetime.date(2026, 12, 28), meeting)]
    for meeting in meetings.filter(section__term__code="S2", day=1):
        assert excluded(meeting) == [at(datetime.date(2027, 2, 15), meeting)]
    for meeting in meetings.filter(day__in=(2, 3, 4)):
        assert excluded(meeting) == []
    # Local times with the zone, like DTSTART (a UTC or floating EXDATE would miss the class).
    first_friday = meetings.filter(section__term__code="S1", day=5).order_by("start_time")[0]
    assert (f"EXDATE;TZID=America/Toronto:20261204T{first_friday.start_time:%H%M%S}"
            in response.content.decode())


def test_a_term_shorter_than_a_week_has_no_class_on_the_weekdays_it_lacks(client, alice,
                                                                         child):
    # Semester 2 from Wednesday 3 to Thursday 4 February 2027: its Monday, Tuesday and
    # Friday classes never take place (an event's DTSTART would show one anyway).
    Term.objects.filter(school=child.school, code="S2").update(
        start_date=datetime.date(2027, 2, 3), end_date=datetime.date(2027, 2, 4))
    feed = famille_factories.CalendarFeedFactory(user=alice.user, student=child)
    s2_days = sorted(event.decoded("DTSTART").date() for event in _ics(client, feed.token)
                     .walk("VEVENT") if event.decoded("DTSTART").year == 2027)
    sections = Meeting.objects.filter(section__enrolments__student=child,
                                      section__term__code="S2").values("section").distinct()
    assert s2_days == sorted([datetime.date(2027, 2, 3), datetime.date(2027, 2, 4)]
                             * sections.count())


def test_feed_is_a_404_until_the_timetable_is_published(client, alice, child):
    feed = famille_factories.CalendarFeedFactory(user=alice.user, student=child)
    TimetablePublication.objects.filter(school=child.school).update(
        published_on=datetime.date(2026, 12, 1))
    assert client.get(_feed_path(feed.token)).status_code == 404


def test_feed_needs_no_login_and_sets_no_cookie(client, alice, child):
    feed = famille_factories.CalendarFeedFactory(user=alice.user, student=child)
    client.logout()
    response = client.get(_feed_path(feed.token))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=900"
    assert not response.cookies
