"""An absence recorded by the school reaches the parent through the real parts: the beat's
task on a Celery worker (Redis), the outbox, the SMTP sink; with the RFC 8058 headers."""

import time

import pytest
from django.db import transaction
from django.test import Client

from notifications.tasks import send_notifications
from tests import factories
from tests.outbox.test_delivery import queue_drained, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_absence_reaches_the_parent_once_with_a_one_click_unsubscribe(
        celery_worker_thread, smtp_settings, smtp_sink, redis_broker, family):
    child = family.children[0]
    code = factories.AttendanceCodeFactory()
    with transaction.atomic():  # the secretary's save
        factories.AttendanceRecordFactory(student=child, code=code)
    send_notifications.delay()
    messages = smtp_sink.wait_for(1, timeout=20)
    assert len(messages) == 1
    message = messages[0]
    assert message["To"] == family.user.email
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip("<>")
    text = message.get_body(("plain",)).get_content()
    assert child.first_name in text and child.last_name not in text and child.niso not in text
    # The mail client's one-click POST, with no session.
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert Client(enforce_csrf_checks=True).post(f"/{path}").status_code == 200
    with transaction.atomic():
        factories.AttendanceRecordFactory(student=child, code=code,
                                          date=child.date_of_birth.replace(year=2026))
    send_notifications.delay()
    time.sleep(0.5)
    wait_until(lambda: queue_drained(redis_broker), what="the queue to drain")
    time.sleep(1)  # a stray email would have been handed to the sink by now
    assert len(smtp_sink.messages) == 1
