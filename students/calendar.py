"""A child's timetable as an iCalendar feed, for the parent's calendar app."""

from collections.abc import Set
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event

from students.models import Meeting, Student, Term


def timetable_ics(student: Student, terms_meetings: list[tuple[Term, list[Meeting]]], *,
                  days_off: Set[date]) -> bytes:
    """Weekly recurring events for each class meeting, from each term's start to its end,
    except on the school's days without school (`days_off`, given by the caller: absences
    keeps them)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    stamp = datetime.now(tz=zone)
    calendar = Calendar()
    calendar.add("prodid", "-//Portail Famille//Emploi du temps//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{student.first_name} — {student.school.name}")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for term, meetings in terms_meetings:
        for meeting in meetings:
            # First occurrence: the first matching weekday on or after the term's start.
            offset = (meeting.day - 1 - term.start_date.weekday()) % 7
            first_day = term.start_date + timedelta(days=offset)
            if first_day > term.end_date:
                # No such weekday in the term: DTSTART always counts (RFC 5545), even after
                # UNTIL, so the event would show a class that does not take place.
                continue
            course = meeting.section.course
            event = Event()
            event.add("uid", f"meeting-{meeting.pk}-term-{term.pk}@portail-famille")
            event.add("dtstamp", stamp)
            event.add("summary", f"{course.code} {course.title_fr}")
            event.add("dtstart", datetime.combine(first_day, meeting.start_time, zone))
            event.add("dtend", datetime.combine(first_day, meeting.end_time, zone))
            # RFC 5545: with a local DTSTART, UNTIL must be in UTC.
            event.add("rrule", {"freq": "weekly", "until": datetime.combine(
                term.end_date, meeting.end_time, zone).astimezone(UTC)})
            # The occurrences that fall on a day without school, at DTSTART's local time.
            skipped = [datetime.combine(day, meeting.start_time, zone)
                       for day in sorted(days_off) if first_day <= day <= term.end_date
                       and day.weekday() == first_day.weekday()]
            if skipped:
                event.add("exdate", skipped)
            location = meeting.room or meeting.section.room
            if location:
                event.add("location", location)
            if meeting.section.teacher_name:
                event.add("description", meeting.section.teacher_name)
            calendar.add_component(event)
    # A VTIMEZONE for America/Toronto: calendar apps without their own zone database
    # (some Outlook versions) would otherwise guess the offset.
    calendar.add_missing_timezones()
    return calendar.to_ical()
