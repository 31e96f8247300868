"""Delivery with real parts: Redis, a Celery worker (thread or process), the SMTP sink.

Rows must be committed for the worker to see them, hence transaction=True throughout.
"""

import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from celery.signals import task_postrun
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from outbox.delivery import emails_send
from outbox.models import OutboundEmail
from outbox.services import email_queue
from outbox.tasks import send_emails, sweep_outbox
from tests import factories

Status = OutboundEmail.Status

pytestmark = pytest.mark.django_db(transaction=True)

DELIVERY_TIMEOUT = 15


def announcement(recipient: str = "alice@example.com") -> OutboundEmail:
    with transaction.atomic():  # the event's transaction
        return email_queue(
            recipient=recipient, template="notifications/announcement",
            context={"school_name": "École secondaire publique Louis-Riel", "title": "Gala"},
        )


def wait_until(predicate, *, timeout: float = DELIVERY_TIMEOUT, interval: float = 0.05,
               what: str):
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)
    return result


@contextmanager
def task_finished(expected_id: str):
    """An event set once the worker thread has run this task."""
    finished = threading.Event()

    def on_postrun(task_id: str, **kwargs) -> None:
        if task_id == expected_id:
            finished.set()

    task_postrun.connect(on_postrun, weak=False)
    try:
        yield finished
    finally:
        task_postrun.disconnect(on_postrun)


def status_of(email: OutboundEmail) -> tuple[str, int]:
    email.refresh_from_db()
    return email.status, email.attempts


def queue_drained(redis_client) -> bool:
    """Nothing waiting in the default queue, nothing taken and not yet acknowledged."""
    return redis_client.llen("default") == 0 and redis_client.hlen("unacked") == 0


def test_queued_email_is_delivered_once_by_the_worker(celery_worker_thread, smtp_settings,
                                                      smtp_sink, redis_broker):
    email = announcement()

    messages = smtp_sink.wait_for(1, timeout=DELIVERY_TIMEOUT)
    wait_until(lambda: status_of(email) == (Status.SENT, 1), what="the row to be SENT")
    wait_until(lambda: queue_drained(redis_broker), what="the queue to drain")

    assert [m["To"] for m in messages] == ["alice@example.com"]
    assert len(smtp_sink.messages) == 1


def test_same_task_delivered_three_times_sends_one_email(celery_worker_thread, smtp_settings,
                                                         smtp_sink, redis_broker):
    email = announcement()  # enqueued once after commit
    send_emails.delay([email.pk])
    send_emails.apply_async(args=[[email.pk]])

    wait_until(lambda: status_of(email) == (Status.SENT, 1), what="the row to be SENT")
    wait_until(lambda: queue_drained(redis_broker), what="the three tasks to run")

    assert len(smtp_sink.messages) == 1


def test_a_task_redelivered_after_the_lease_leaves_a_sent_row_alone(
    celery_worker_thread, settings, smtp_settings, smtp_sink, redis_broker
):
    # Celery redelivers an unacknowledged task after an hour, long after the lease: only
    # the status keeps a SENT row from being claimed and sent again.
    email = announcement()
    wait_until(lambda: status_of(email) == (Status.SENT, 1), what="the row to be SENT")
    wait_until(lambda: queue_drained(redis_broker), what="the queue to drain")

    later = timezone.now() + timedelta(seconds=settings.OUTBOX_SENDING_LEASE + 60)
    task_id = str(uuid.uuid4())
    with time_machine.travel(later), task_finished(task_id) as finished:
        send_emails.apply_async(args=[[email.pk]], task_id=task_id)
        assert finished.wait(DELIVERY_TIMEOUT), "the redelivered task did not run"

    assert status_of(email) == (Status.SENT, 1)
    assert len(smtp_sink.messages) == 1


def test_two_workers_racing_for_one_row_send_it_once(postgresql, smtp_settings, smtp_sink):
    # Row locking (SELECT … FOR UPDATE SKIP LOCKED) and the SENDING status: the second
    # worker finds the row taken while the first is still talking to the server.
    smtp_sink.delay = 0.5
    email = announcement()

    def worker() -> None:
        try:
            emails_send([email.pk])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DELIVERY_TIMEOUT)

    assert status_of(email) == (Status.SENT, 1)
    assert len(smtp_sink.messages) == 1


def test_smtp_refusing_retries_then_fails(celery_worker_thread, settings, smtp_settings,
                                          smtp_sink, redis_broker):
    settings.OUTBOX_RETRY_BASE, settings.OUTBOX_MAX_ATTEMPTS = 0.2, 3
    smtp_sink.refuse = "451 4.3.0 Try again later"
    email = announcement()

    wait_until(lambda: status_of(email) == (Status.RETRY, 1), what="the first attempt")

    def swept_until_failed() -> bool:
        sweep_outbox()  # Celery beat's job, run here until the row gives up
        return status_of(email)[0] == Status.FAILED

    wait_until(swept_until_failed, interval=0.2, what="the row to fail")
    wait_until(lambda: queue_drained(redis_broker), what="the queue to drain")

    assert status_of(email) == (Status.FAILED, 3)
    assert "451" in email.last_error
    assert smtp_sink.messages == []


@pytest.mark.parametrize("down", ["broker", "broker and cache"])
def test_redis_down_during_the_event_then_delivered_once_it_is_back(
    down, private_broker, worker_thread_factory, smtp_settings, smtp_sink, client, request
):
    if down == "broker and cache":
        request.getfixturevalue("private_cache")  # all of Redis, as in production
    user = factories.UserFactory(username="alice.tremblay", email="alice@example.com")
    private_broker.stop()

    started = time.monotonic()
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    elapsed = time.monotonic() - started

    assert response.status_code == 302  # to the "check your email" page
    assert elapsed < 5, f"the request took {elapsed:.1f} s with Redis down"
    email = OutboundEmail.objects.get()
    assert (email.template, email.recipient) == ("account/password_reset_key", user.email)
    assert status_of(email) == (Status.QUEUED, 0)

    private_broker.start()
    with worker_thread_factory():
        assert sweep_outbox() == 1  # what beat does every minute
        messages = smtp_sink.wait_for(1, timeout=DELIVERY_TIMEOUT)
        wait_until(lambda: status_of(email) == (Status.SENT, 1), what="the row to be SENT")

    assert [m["To"] for m in messages] == [user.email]
    assert len(smtp_sink.messages) == 1


def test_worker_killed_while_sending_then_the_email_leaves_once(celery_worker_process,
                                                                 smtp_sink, redis_broker):
    lease = 5
    smtp_sink.delay = 30  # the server stalls before answering DATA
    first = celery_worker_process.start(OUTBOX_SENDING_LEASE=str(lease))
    email = announcement()

    assert smtp_sink.data_started.wait(DELIVERY_TIMEOUT), "the worker never reached DATA"
    assert status_of(email) == (Status.SENDING, 1)
    first.kill()  # SIGKILL: no warm shutdown, no ack, no status update
    first.wait(5)
    assert sweep_outbox() == 0, "the lease should still hold"
    # The sink saw the connection drop before it answered DATA: nothing was accepted.
    # (Had it accepted the message just before the kill, the row would still be SENDING
    # and leave a second time: at-least-once is all SMTP allows. The Message-ID is stable
    # per row, <outbox-PK@host>, so mail systems can recognise the copy.)
    assert smtp_sink.aborted.wait(5)
    assert smtp_sink.messages == []
    smtp_sink.delay = 0

    celery_worker_process.start(OUTBOX_SENDING_LEASE=str(lease))
    # The killed worker's task stays unacknowledged in Redis (for the visibility timeout);
    # the sweep takes the row back once its lease is over.
    wait_until(lambda: sweep_outbox() == 1, timeout=lease + 10, what="the lease to expire")
    messages = smtp_sink.wait_for(1, timeout=DELIVERY_TIMEOUT)
    wait_until(lambda: status_of(email) == (Status.SENT, 2), what="the row to be SENT")
    wait_until(lambda: redis_broker.llen("default") == 0, what="the queue to drain")

    assert [m["Message-ID"] for m in messages] == [f"<outbox-{email.pk}@127.0.0.1>"]
    assert len(smtp_sink.messages) == 1
