"""A board's morning of absences: recorded by batch, planned and sent for all the parents at
once, with the same recipients as the access rule asked parent by parent, and a number of
queries that does not grow with the absences or the parents."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from notifications.events import deliveries_send, events_plan
from notifications.models import Delivery, Event
from outbox.delivery import emails_send, render_email
from outbox.models import OutboundEmail
from students.models import AttendanceCode, AttendanceRecord, Student
from students.selectors import students_visible_to
from students.services import attendance_record_many
from tests import factories
from tests.notifications.group_factories import TORONTO

pytestmark = pytest.mark.django_db

MORNING = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=TORONTO)
TODAY = MORNING.date()


@pytest.fixture
def clock():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def absences(students, periods=(1,), kind=AttendanceCode.Kind.ABSENT) -> list[AttendanceRecord]:
    code = factories.AttendanceCodeFactory(code=kind[:3].upper(), kind=kind)
    return [AttendanceRecord(student=student, date=TODAY, period=period, code=code)
            for period in periods for student in students]


def families(count: int) -> list:
    return [factories.make_family(last_name=f"Famille{count}x{number}",
                                  parent_first_name="Parent") for number in range(count)]


def link(student, *, user=True, **states):
    guardian = factories.GuardianFactory(
        user=factories.UserFactory() if user else None)
    return factories.StudentGuardianFactory(student=student, guardian=guardian, **states)


@pytest.fixture
def link_states(clock):
    """One child seen through every state of a guardian link, and two children whose state
    hides them from everyone."""
    child = factories.StudentFactory()
    adult = factories.StudentFactory(date_of_birth=datetime.date(2007, 1, 5))
    withdrawn = factories.StudentFactory(status=Student.Status.WITHDRAWN)
    custody = link(child).guardian.user
    seen = {
        custody,
        link(child, has_custody=False, has_access_rights=True).guardian.user,
        link(adult, adult_consent_date=datetime.date(2025, 2, 1)).guardian.user,
    }
    hidden = {
        link(child, has_custody=False).guardian.user,  # neither custody nor access rights
        link(child, portal_access=False,
             portal_access_off_reason="Ordonnance du tribunal").guardian.user,
        link(child, has_custody=False, has_access_rights=True, portal_access=False,
             portal_access_off_reason="Ordonnance du tribunal").guardian.user,
        link(adult).guardian.user,  # 18, no consent
        link(withdrawn).guardian.user,
    }
    inactive = link(child).guardian.user
    inactive.is_active = False
    inactive.save()
    link(child, user=False)  # a guardian with no account
    return [child, adult, withdrawn], seen, hidden | {inactive}, custody


class TestRecipients:
    def test_the_batch_tells_the_parents_the_access_rule_shows_one_by_one(self, link_states):
        students, seen, hidden, _custody = link_states
        attendance_record_many(absences(students))
        events_plan()
        planned = {(delivery.user, delivery.event.student) for delivery in
                   Delivery.objects.select_related("user", "event__student")}
        one_by_one = {(user, student) for user in seen | hidden if user.is_active
                      for student in students_visible_to(user).filter(pk__in=[
                          student.pk for student in students])}
        assert planned == one_by_one
        assert {user for user, _student in planned} == seen

    def test_the_emails_go_to_the_same_parents(self, link_states):
        students, seen, _hidden, _custody = link_states
        attendance_record_many(absences(students))
        assert deliveries_send() == len(seen)
        assert set(OutboundEmail.objects.values_list("recipient", flat=True)) == {
            user.email for user in seen}

    def test_access_ended_between_planning_and_sending_tells_nothing(self, link_states):
        students, seen, _hidden, custody = link_states
        attendance_record_many(absences(students))
        events_plan()
        custody.guardian.student_links.update(
            portal_access=False, portal_access_off_reason="Ordonnance du tribunal")
        deliveries_send()
        assert set(OutboundEmail.objects.values_list("recipient", flat=True)) == {
            user.email for user in seen - {custody}}


class TestBatchRecording:
    def test_each_absence_and_late_arrival_becomes_one_event(self, clock):
        child = factories.StudentFactory()
        records = attendance_record_many(
            absences([child], periods=(1, 2))
            + absences([child], periods=(3,), kind=AttendanceCode.Kind.LATE)
            + absences([child], periods=(4,), kind=AttendanceCode.Kind.PRESENT))
        assert AttendanceRecord.objects.filter(student=child).count() == 4
        assert sorted(Event.objects.values_list("detail__period", "detail__kind", "key")) == [
            (record.period, kind, f"attendance:{record.pk}:{child.pk}")
            for record, kind in zip(records[:3], ["absent", "absent", "late"], strict=True)]

    def test_a_record_already_taken_refuses_the_whole_batch(self, clock):
        first, second = factories.StudentFactory(), factories.StudentFactory()
        attendance_record_many(absences([first]))
        with pytest.raises(ValidationError) as refused:
            attendance_record_many(absences([second, first]))
        with translation.override("en"):
            messages = refused.value.messages
        assert messages == [
            "Some of these students already have a record for this day or period: "
            "nothing was recorded."]
        assert not AttendanceRecord.objects.filter(student=second).exists()
        assert Event.objects.count() == 1

    def test_a_record_saved_alone_still_becomes_its_event(self, clock):
        [record] = absences([factories.StudentFactory()])
        record.save()
        assert Event.objects.get().key == f"attendance:{record.pk}:{record.student_id}"


def queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


class TestQueriesDoNotGrow:
    def test_recording_a_batch(self, clock):
        small = absences(factories.StudentFactory.create_batch(2))
        large = absences(factories.StudentFactory.create_batch(20), periods=(1, 2, 3))
        assert (queries(lambda: attendance_record_many(small))
                == queries(lambda: attendance_record_many(large)))

    @pytest.mark.parametrize("step", ["plan", "send"])
    def test_planning_and_sending_a_morning(self, clock, step):
        counts = []
        for many in (1, 6):
            children = [child for family in families(many) for child in family.children]
            attendance_record_many(absences(children, periods=(1, 2)))
            if step == "send":
                events_plan()
            counts.append(queries(events_plan if step == "plan" else deliveries_send))
            assert Delivery.objects.filter(event__student__in=children).count() == 4 * many
        assert counts[0] == counts[1]


    def test_sending_a_mornings_emails(self, clock, mailoutbox):
        """The worker reads its chunk's batches and their deliveries once for the chunk; what
        grows with the emails is each one's own row, marked sent."""
        counts = []
        for many in (1, 6):
            children = [child for family in families(many) for child in family.children]
            attendance_record_many(absences(children, periods=(1, 2)))
            deliveries_send()
            ids = list(OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED)
                       .values_list("pk", flat=True))
            already = len(mailoutbox)
            counts.append(queries(lambda ids=ids: emails_send(ids)) - len(ids))
            assert len(mailoutbox) - already == len(ids) == many
            assert all("(période 2)" in message.body for message in mailoutbox[already:])
        assert counts[0] == counts[1]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_familys_morning_reads_the_same_in_the_text_and_the_html_part(clock, language):
    """Each of a family's 12 events is one line, written once and shown by both parts:
    the text part as it is, the HTML part escaped."""
    family = factories.make_family(last_name="Matin", parent_first_name="Parent", children=3)
    family.user.preferred_language = language
    family.user.save(update_fields=["preferred_language"])
    first, second, third = family.children
    second.preferred_first_name = "Zoë O'Neil"
    second.save(update_fields=["preferred_first_name"])
    records = absences([first, third], periods=(1, 2, 3, 4))
    records += absences([second], periods=(2, 3, 4))
    records += absences([second], periods=(1,), kind=AttendanceCode.Kind.LATE)
    attendance_record_many(records)
    deliveries_send()
    email = OutboundEmail.objects.get(recipient=family.user.email)
    # The batch, then its deliveries with only the words shown: none read again per line.
    assert queries(lambda: render_email(email)) == 2
    message = render_email(email)

    words = {"fr": ("Absence inscrite le mardi 1er décembre 2026 (période {})",
                    "Retard inscrit le mardi 1er décembre 2026 (période {})"),
             "en": ("Absence recorded on Tuesday 1 December 2026 (period {})",
                    "Late arrival recorded on Tuesday 1 December 2026 (period {})")}[language]
    absence, late = words
    expected = {  # the children in the order of their first event, theirs in order
        first.first_name: [absence.format(period) for period in (1, 2, 3, 4)],
        third.first_name: [absence.format(period) for period in (1, 2, 3, 4)],
        "Zoë O'Neil": [absence.format(period) for period in (2, 3, 4)] + [late.format(1)],
    }
    text = "".join(f"{name}\n" + "".join(f"- {line}\n" for line in lines) + "\n"
                   for name, lines in expected.items())
    assert text in message.body
    [(html, _mimetype)] = message.alternatives
    for name, lines in expected.items():
        items = "".join(f"<li>{escape(line)}</li>" for line in lines)
        assert (f'<h2 style="font-size:17px;margin:20px 0 8px;">{escape(name)}</h2>\n'
                f'<ul style="margin:0;padding-left:20px;">{items}</ul>') in html
    assert "Zoë O&#x27;Neil" in html


def test_a_worker_writes_each_parents_lines_in_their_language(clock, mailoutbox):
    """The worker keeps each absence's words once written (the same for every family that
    morning): by language, so that the parents of one child, sent in one chunk, each read
    theirs, and the late arrival keeps its own words."""
    family = factories.make_family(last_name="Deux", parent_first_name="Mere", children=1)
    [child] = family.children
    father = link(child).guardian.user
    father.preferred_language = "en"
    father.save(update_fields=["preferred_language"])
    attendance_record_many(absences([child], periods=(1, 2))
                           + absences([child], periods=(3,), kind=AttendanceCode.Kind.LATE))
    deliveries_send()
    emails_send(list(OutboundEmail.objects.values_list("pk", flat=True)))
    bodies = {message.to[0]: message.body for message in mailoutbox}
    assert len(bodies) == 2
    assert ("- Absence inscrite le mardi 1er décembre 2026 (période 2)\n"
            "- Retard inscrit le mardi 1er décembre 2026 (période 3)\n"
            ) in bodies[family.user.email]
    assert ("- Absence recorded on Tuesday 1 December 2026 (period 2)\n"
            "- Late arrival recorded on Tuesday 1 December 2026 (period 3)\n"
            ) in bodies[father.email]
