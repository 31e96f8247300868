"""Ontario's privacy rules, with the clock frozen: access ends at 18 without the student's
consent (a daily task), and withdrawing a student closes the accounts it leaves childless."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import translation

from accounts.models import AuditEvent
from outbox.delivery import render_email
from outbox.models import OutboundEmail
from students.models import Student, StudentGuardian
from students.privacy import adult_access_end, student_withdraw
from students.privacy_admin import withdraw_students
from students.selectors import students_visible_to
from students.tasks import end_adult_guardian_access
from tests import factories
from tests.pages import french, html_of

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")


def frozen(day: datetime.date, hour: int = 2) -> time_machine.travel:
    """The daily task runs at night, Toronto time."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), TORONTO),
                               tick=False)


@pytest.fixture
def almost_adult(family) -> StudentGuardian:
    """Alice's secondary-school child turns 18 on 29 November 2026."""
    link = family.links[1]
    Student.objects.filter(pk=link.student_id).update(date_of_birth=datetime.date(2008, 11, 29))
    link.refresh_from_db()
    return link


def test_access_ends_on_the_18th_birthday_not_before(family, almost_adult):
    child = almost_adult.student
    with frozen(datetime.date(2026, 11, 28)):
        assert adult_access_end() == 0
        assert child in students_visible_to(family.user)

    with frozen(datetime.date(2026, 11, 29)):
        assert adult_access_end() == 1

    almost_adult.refresh_from_db()
    assert almost_adult.portal_access is False
    assert almost_adult.portal_access_off_reason == french("Adult student: consent required")
    event = AuditEvent.objects.get(action="adult_access_ended")
    assert event.actor is None
    assert event.object_id == str(almost_adult.pk)
    assert event.before["portal_access"] is True
    assert event.after["portal_access"] is False
    # The younger child is not touched.
    assert StudentGuardian.objects.get(pk=family.links[0].pk).portal_access


def test_the_guardian_is_told_with_the_first_name_only(family, almost_adult):
    child = almost_adult.student
    with frozen(datetime.date(2026, 11, 30)):
        adult_access_end()

    email = OutboundEmail.objects.get(template="students/adult_access_ended")
    assert email.recipient == family.user.email
    assert email.context == {"student_first_name": child.first_name}
    message = render_email(email)
    [(html, _mimetype)] = message.alternatives
    for body in (message.body, html):
        assert child.first_name in body
        for personal in (child.legal_last_name, child.niso, child.niso_display,
                         child.date_of_birth.isoformat(), child.school.name):
            assert personal not in body


def test_a_second_run_changes_and_sends_nothing(family, almost_adult):
    with frozen(datetime.date(2026, 11, 29)):
        assert adult_access_end() == 1
        assert adult_access_end() == 0
    with frozen(datetime.date(2026, 12, 1)):
        assert adult_access_end() == 0
    assert OutboundEmail.objects.count() == 1
    assert AuditEvent.objects.filter(action="adult_access_ended").count() == 1


def test_a_missed_day_is_caught_up(family, almost_adult):
    with frozen(datetime.date(2027, 1, 15)):
        assert adult_access_end() == 1


def test_a_recorded_consent_keeps_access(family, almost_adult):
    StudentGuardian.objects.filter(pk=almost_adult.pk).update(
        adult_consent_date=datetime.date(2026, 11, 20))
    with frozen(datetime.date(2026, 11, 29)):
        assert adult_access_end() == 0
        assert almost_adult.student in students_visible_to(family.user)


def test_access_already_off_keeps_its_reason(family, almost_adult):
    StudentGuardian.objects.filter(pk=almost_adult.pk).update(
        portal_access=False, portal_access_off_reason="Ordonnance du tribunal")
    with frozen(datetime.date(2026, 11, 29)):
        assert adult_access_end() == 0
    almost_adult.refresh_from_db()
    assert almost_adult.portal_access_off_reason == "Ordonnance du tribunal"


def test_a_guardian_without_an_account_loses_access_without_an_email(almost_adult):
    contact = factories.GuardianFactory(first_name="Marc", user=None)
    link = factories.StudentGuardianFactory(student=almost_adult.student, guardian=contact,
                                            relationship="father")
    with frozen(datetime.date(2026, 11, 29)):
        assert adult_access_end() == 2
    link.refresh_from_db()
    assert link.portal_access is False
    assert OutboundEmail.objects.filter(template="students/adult_access_ended").count() == 1


def test_born_on_29_february_is_adult_on_1_march_as_the_selectors_say(family):
    link = family.links[0]
    Student.objects.filter(pk=link.student_id).update(date_of_birth=datetime.date(2008, 2, 29))
    with frozen(datetime.date(2026, 2, 28)):
        assert adult_access_end() == 0
        assert link.student in students_visible_to(family.user)
    with frozen(datetime.date(2026, 3, 1)):
        assert link.student not in students_visible_to(family.user)
        assert adult_access_end() == 1


def test_the_daily_task_takes_no_personal_data_and_calls_the_rule(family, almost_adult):
    with frozen(datetime.date(2026, 11, 29)):
        assert end_adult_guardian_access.apply(args=[]).get() == 1
    almost_adult.refresh_from_db()
    assert not almost_adult.portal_access


# --- Withdrawal ------------------------------------------------------------------------

@pytest.fixture
def secretary(db):
    return factories.UserFactory(username="secretariat", is_staff=True)


def test_withdrawal_keeps_the_account_of_a_parent_with_another_active_child(family,
                                                                             secretary):
    first, second = family.children
    enrolment = factories.EnrolmentFactory(student=first)

    closed = student_withdraw(student=first, date=datetime.date(2026, 11, 27),
                              reason="Déménagement", actor=secretary)

    assert closed == []
    first.refresh_from_db()
    assert first.status == Student.Status.WITHDRAWN
    enrolment.refresh_from_db()
    assert (enrolment.withdrawal_date, enrolment.withdrawal_reason) == (
        datetime.date(2026, 11, 27), "Déménagement")
    family.user.refresh_from_db()
    assert family.user.is_active
    assert list(students_visible_to(family.user)) == [second]
    assert AuditEvent.objects.filter(action="student_withdrawn", actor=secretary).count() == 2


def test_withdrawing_the_last_active_child_closes_the_account(family, other_family, secretary):
    first, second = family.children
    Student.objects.filter(pk=second.pk).update(status=Student.Status.GRADUATED)

    closed = student_withdraw(student=first, date=datetime.date(2026, 11, 27),
                              reason="Déménagement", actor=secretary)

    assert closed == [family.user]
    family.user.refresh_from_db()
    assert not family.user.is_active
    event = AuditEvent.objects.get(action="guardian_account_closed")
    assert (event.actor, event.object_id, event.reason) == (
        secretary, str(family.user.pk), "Déménagement")
    assert event.before["is_active"] is True
    other_family.user.refresh_from_db()
    assert other_family.user.is_active


def test_a_staff_member_who_is_a_parent_keeps_their_account(other_family, secretary):
    User = type(other_family.user)
    User.objects.filter(pk=other_family.user.pk).update(is_staff=True)
    student_withdraw(student=other_family.children[0], date=datetime.date(2026, 11, 27),
                     reason="Déménagement", actor=secretary)
    other_family.user.refresh_from_db()
    assert other_family.user.is_active


def test_a_withdrawal_before_the_entry_date_changes_nothing(other_family, secretary):
    child = other_family.children[0]
    factories.EnrolmentFactory(student=child, entry_date=datetime.date(2026, 9, 2))
    with pytest.raises(ValidationError):
        student_withdraw(student=child, date=datetime.date(2026, 8, 1), reason="Erreur",
                         actor=secretary)
    child.refresh_from_db()
    assert child.status == Student.Status.ACTIVE
    assert not AuditEvent.objects.exists()


def action_request(user, data: dict | None = None):
    request = RequestFactory().post("/admin/students/student/", data or {})
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_the_admin_action_asks_for_the_date_and_reason_then_withdraws(other_family, secretary):
    child = other_family.children[0]
    model_admin = admin.site.get_model_admin(Student)
    queryset = Student.objects.filter(pk=child.pk)

    page = withdraw_students(model_admin, action_request(secretary), queryset)
    html = html_of(page)
    assert 'name="date"' in html and 'name="reason"' in html
    child.refresh_from_db()
    assert child.status == Student.Status.ACTIVE

    token = re.search(r'name="submission" value="([^"]+)"', html)[1]
    data = {"apply": "1", "date": "2026-11-27", "reason": "Déménagement", "submission": token}
    done = withdraw_students(model_admin, action_request(secretary, data), queryset)
    assert done is None
    child.refresh_from_db()
    assert child.status == Student.Status.WITHDRAWN
    other_family.user.refresh_from_db()
    assert not other_family.user.is_active

    # Sent again (a double click, or Back): nothing is done or recorded twice.
    events = AuditEvent.objects.count()
    again = action_request(secretary, data)
    assert withdraw_students(model_admin, again, queryset) is None
    assert AuditEvent.objects.count() == events
    with translation.override("fr"):  # the message is read as the secretary's page would
        shown = [str(message) for message in again._messages]
    assert shown == [french("This form was already sent: nothing was done again.")]


def test_the_admin_action_needs_a_reason(other_family, secretary):
    child = other_family.children[0]
    page = withdraw_students(admin.site.get_model_admin(Student), action_request(
        secretary, {"apply": "1", "date": "2026-11-27", "reason": "", "submission": "t"}),
        Student.objects.filter(pk=child.pk))
    assert page.status_code == 200
    child.refresh_from_db()
    assert child.status == Student.Status.ACTIVE
