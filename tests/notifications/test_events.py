"""Events → emails: subscriptions honoured, one email per family and batch, quiet hours,
the daily summary, the one-click unsubscribe. Time is frozen where it matters."""

import datetime
import re

import pytest
import time_machine
from django.test import Client

from notifications import events
from notifications.events import deliveries_send, event_record, events_plan
from notifications.models import (
    Category,
    Delivery,
    NotificationSettings,
    Subscription,
    Timing,
)
from notifications.subscriptions import subscriptions_save
from outbox.delivery import render_email
from outbox.models import OutboundEmail
from tests import factories
from tests.notifications.group_factories import TORONTO, AnnouncementFactory, GroupFactory
from tests.pages import french

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=TORONTO)


@pytest.fixture
def clock():
    """Tuesday 1 December 2026, 8:00 in Toronto; tests move it."""
    with time_machine.travel(at(1, 8), tick=False) as traveller:
        yield traveller


def absent(student, day=datetime.date(2026, 12, 1), kind="ABS"):
    code = factories.AttendanceCodeFactory(
        code=kind, kind="late" if kind == "RET" else "absent", label_fr=kind, label_en=kind)
    return factories.AttendanceRecordFactory(student=student, date=day, code=code)


def sent_emails() -> list:
    return [render_email(email) for email in OutboundEmail.objects.order_by("pk")]


class TestImmediate:
    def test_brothers_and_sisters_absent_make_one_email_with_first_names_only(
            self, clock, family, other_family):
        first, second = family.children
        absent(first)
        absent(second, kind="RET")
        absent(other_family.children[0])
        assert deliveries_send() == 2  # Alice's, and Bob's
        alice = OutboundEmail.objects.get(recipient=family.user.email)
        message = render_email(alice)
        assert first.first_name in message.body and second.first_name in message.body
        assert OutboundEmail.objects.get(recipient=other_family.user.email).pk != alice.pk
        for private in (first.niso, first.last_name, first.street):
            assert private not in message.body and private not in message.alternatives[0][0]
        assert "1er décembre 2026" in message.body
        assert deliveries_send() == 0  # once

    def test_in_the_recipients_language(self, clock, family):
        family.user.preferred_language = "en"
        family.user.save()
        absent(family.children[0])
        deliveries_send()
        message = sent_emails()[0]
        assert "Absence recorded on Tuesday 1 December 2026" in message.body
        assert message.subject == "Portail Famille: absence or late arrival recorded"
        # The tabs by their English names, as the English pages call them.
        assert "the Notification tab of the Family tab" in message.body

    def test_a_category_turned_off_sends_nothing(self, clock, family):
        subscriptions_save(user=family.user, student=family.children[0],
                           timings={Category.ATTENDANCE: Timing.OFF})
        absent(family.children[0])
        absent(family.children[1])
        assert events_plan() == 2
        assert list(Delivery.objects.values_list("event__student", flat=True)) == [
            family.children[1].pk]

    def test_access_ended_before_sending_tells_nothing(self, clock, family):
        absent(family.children[0])
        assert events_plan() == 1 and Delivery.objects.count() == 1
        link = family.links[0]
        link.portal_access, link.portal_access_off_reason = False, "Ordonnance du tribunal"
        link.save()
        assert deliveries_send() == 0
        assert not OutboundEmail.objects.exists()

    def test_a_report_card_published_ahead_leaves_at_its_hour(self, clock, family):
        event_record(category=Category.REPORT_CARD, key="report_card:1",
                     student_ids=[family.children[0].pk], occurred_at=at(1, 13))
        assert deliveries_send() == 0
        clock.move_to(at(1, 13, 1))
        assert deliveries_send() == 1
        assert "A new report card or document is available." in sent_emails()[0].body or \
            french("A new report card or document is available.") in sent_emails()[0].body

    def test_the_same_event_twice_is_told_once(self, clock, family):
        for _n in range(2):
            event_record(category=Category.REPORT_CARD, key="report_card:7",
                         student_ids=[family.children[0].pk])
        events_plan()
        assert Delivery.objects.count() == 1


class TestQuietHoursAndSummary:
    def test_quiet_hours_hold_an_email_until_their_end(self, clock, family):
        NotificationSettings.objects.create(user=family.user, quiet_start=datetime.time(21),
                                            quiet_end=datetime.time(7))
        clock.move_to(at(1, 22))
        absent(family.children[0])
        assert deliveries_send() == 0
        clock.move_to(at(2, 6, 59))
        assert deliveries_send() == 0
        clock.move_to(at(2, 7))
        assert deliveries_send() == 1

    def test_the_daily_summary_gathers_the_days_events_per_family(self, clock, family):
        NotificationSettings.objects.create(user=family.user, digest_hour=18)
        subscriptions_save(user=family.user, student=None,
                           timings={Category.ATTENDANCE: Timing.DIGEST})
        group = GroupFactory(name="Conseil des écoles")
        AnnouncementFactory(group=group, title="Tempête: écoles fermées",
                            publish_at=at(1, 6))
        events.announcements_announce()
        absent(family.children[0])
        clock.move_to(at(1, 12))
        absent(family.children[1], kind="RET")
        assert deliveries_send() == 0
        clock.move_to(at(1, 18))
        assert deliveries_send() == 1
        message = sent_emails()[0]
        body = message.body
        assert body.index(family.children[0].first_name) < body.index("Conseil des écoles")
        assert "Tempête: écoles fermées" in body
        assert message.subject == french("Portail Famille: your daily summary")

    def test_no_summary_when_the_day_was_empty(self, clock, family):
        clock.move_to(at(1, 18))
        assert deliveries_send() == 0
        assert not OutboundEmail.objects.exists()


def unsubscribe_link(email: OutboundEmail) -> str:
    message = render_email(email)
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return re.fullmatch(r"<https?://[^/]+(/.*)>", header).group(1)


class TestUnsubscribe:
    @pytest.fixture
    def link(self, clock, family):
        absent(family.children[0])
        deliveries_send()
        return unsubscribe_link(OutboundEmail.objects.get())

    def test_rfc_8058_post_without_a_session_stops_the_category(self, link, family):
        client = Client(enforce_csrf_checks=True)
        assert client.get(link).status_code == 200
        assert not Subscription.objects.exists()  # a link checker's GET changes nothing
        response = client.post(link, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        for child in family.children:
            assert events.timings_of_users([family.user.pk], [child.pk],
                                           Category.ATTENDANCE) == {
                (family.user.pk, None): Timing.OFF}
        absent(family.children[1], day=datetime.date(2026, 12, 2))
        events_plan()
        assert not Delivery.objects.filter(batch__isnull=True).exists()

    def test_already_used(self, link):
        Client().post(link)
        page = Client().post(link).content.decode()
        assert "Nothing was changed" in page or "Rien n" in page

    def test_tampered(self, link, family):
        tampered = link.replace("/desabonnement/", "/desabonnement/x")
        response = Client().post(tampered)
        assert response.status_code == 400
        assert not Subscription.objects.exists()

    def test_expired(self, link, clock):
        clock.move_to(at(1, 8, month=12) + datetime.timedelta(days=91))
        assert Client().post(link).status_code == 400
        assert not Subscription.objects.exists()


def test_a_new_announcement_reaches_its_groups_parents_in_the_summary(family, other_family):
    with time_machine.travel(at(1, 8), tick=False) as clock:
        school = family.children[0].school
        group = GroupFactory(kind="school", school=school, name="École des Tremblay")
        AnnouncementFactory(group=group, publish_at=at(1, 9))
        assert events.announcements_announce() == 0  # not published yet
        clock.move_to(at(1, 9))
        assert events.announcements_announce() == 1
        assert events.announcements_announce() == 0
        events_plan()
        assert list(Delivery.objects.values_list("user", "timing")) == [
            (family.user.pk, Timing.DIGEST)]
        clock.move_to(at(1, 18))
        assert deliveries_send() == 1
