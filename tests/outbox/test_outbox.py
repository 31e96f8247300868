"""The outbox's rules, against a real SMTP server (the aiosmtpd sink), without a worker."""

import datetime
import socket
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from outbox.delivery import emails_forget_failed, emails_send
from outbox.models import OutboundEmail
from outbox.services import email_queue, email_queue_many
from outbox.tasks import forget_failed_emails, sweep_outbox

Status = OutboundEmail.Status

pytestmark = pytest.mark.django_db

ANNOUNCEMENT = "notifications/announcement"


def announcement(recipient: str = "alice@example.com", *, key: str | None = None,
                 language: str = "fr") -> OutboundEmail:
    return email_queue(
        recipient=recipient, template=ANNOUNCEMENT, language=language, idempotency_key=key,
        context={"school_name": "École élémentaire publique Gabrielle-Roy",
                 "title": "Journée des photos"},
    )


def subject(message) -> str:
    # Django folds a non-ASCII subject onto a second line; the parser keeps its indent.
    return str(message["Subject"]).strip()


def html_part(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def text_part(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_rolled_back_event_leaves_no_row_and_sends_nothing(
    smtp_settings, smtp_sink, in_process_celery, django_capture_on_commit_callbacks
):
    with (django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(RuntimeError), transaction.atomic()):
        announcement(key="announcement:1:alice")
        raise RuntimeError("the event failed after queueing its email")

    assert not OutboundEmail.objects.exists()
    assert callbacks == []
    assert smtp_sink.messages == []


def test_same_idempotency_key_twice_is_one_row_and_one_email(
    smtp_settings, smtp_sink, in_process_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first = announcement(key="announcement:1:alice")
        second = announcement(key="announcement:1:alice")
    with django_capture_on_commit_callbacks(execute=True) as later:
        announcement(key="announcement:1:alice")  # the same event, handled again later

    assert first.pk == second.pk
    assert OutboundEmail.objects.count() == 1
    assert later == []
    assert [m["To"] for m in smtp_sink.messages] == ["alice@example.com"]
    first.refresh_from_db()
    assert first.status == Status.SENT


@pytest.mark.parametrize(("value", "described"), [
    (datetime.date(2026, 9, 2), "a date"), (Decimal("12.50"), "a Decimal"),
    (gettext_lazy("Announcement"), "a lazy translation"), (["a", "list"], "a list"),
    # Stored, they would come back wrong: in the worker's time zone, and as None.
    (datetime.datetime(2026, 9, 2, 8, 30), "a naive datetime"),
    (OutboundEmail(idempotency_key="unsaved"), "an unsaved OutboundEmail"),
])
def test_a_context_value_that_cannot_be_stored_is_refused_by_name(value, described):
    context = {"school_name": "École Gabrielle-Roy", "when": value}
    with pytest.raises(TypeError, match=f"^Email context 'when': {described} cannot be stored"):
        email_queue(recipient="alice@example.com", template=ANNOUNCEMENT, context=context)

    assert not OutboundEmail.objects.exists()


def test_a_context_keeps_plain_values_datetimes_and_models():
    moment = timezone.now()
    email = email_queue(recipient="alice@example.com", template=ANNOUNCEMENT, context={
        "title": "Gala", "count": 3, "ratio": 0.5, "urgent": False, "note": None,
        "when": moment, "row": OutboundEmail.objects.create(idempotency_key="other"),
    })

    email.refresh_from_db()
    row = OutboundEmail.objects.get(idempotency_key="other")
    assert email.context == {
        "title": "Gala", "count": 3, "ratio": 0.5, "urgent": False, "note": None,
        "when": {"__datetime__": moment.isoformat()},
        "row": {"__model__": "outbox.OutboundEmail", "pk": row.pk},
    }


def test_queued_email_is_sent_once(smtp_settings, smtp_sink):
    email = announcement(language="en")
    assert (email.status, email.attempts, email.sent_at) == (Status.QUEUED, 0, None)

    emails_send([email.pk])
    emails_send([email.pk])  # the task again: a redelivery must not send twice

    email.refresh_from_db()
    assert email.status == Status.SENT
    assert email.attempts == 1
    assert email.sent_at is not None and email.last_error == ""
    [message] = smtp_sink.messages
    assert message["To"] == "alice@example.com"
    assert subject(message) == "New announcement from École élémentaire publique Gabrielle-Roy"
    # Stable per row: a copy sent again after a crash carries the same Message-ID.
    assert message["Message-ID"] == f"<outbox-{email.pk}@127.0.0.1>"
    assert "Journée des photos" in text_part(message)
    assert "Journée des photos" in html_part(message)


def test_a_batch_goes_over_one_smtp_connection(smtp_settings, smtp_sink):
    emails = [announcement(f"parent{n}@example.com") for n in range(3)]

    emails_send([email.pk for email in emails])

    assert len(smtp_sink.messages) == 3
    assert smtp_sink.sessions == 1


def test_a_row_being_sent_is_left_alone_until_its_lease_expires(
    smtp_settings, smtp_sink, in_process_celery
):
    email = announcement()
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=Status.SENDING, attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )

    emails_send([email.pk])
    assert sweep_outbox() == 0
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENDING, 1)
    assert smtp_sink.messages == []

    # The worker holding it died: once the lease is over, the sweep takes the row back.
    OutboundEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert sweep_outbox() == 1

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 2)
    assert len(smtp_sink.messages) == 1


def test_a_batch_stops_at_half_its_lease_and_the_sweep_sends_the_rest(
    settings, smtp_settings, smtp_sink, in_process_celery
):
    # A slow server must not make the batch outlive its lease: another worker could
    # then take the same rows and send them a second time.
    settings.OUTBOX_SENDING_LEASE = 1
    smtp_sink.delay = 0.6  # longer than half the lease
    emails = [announcement(f"parent{n}@example.com") for n in range(3)]

    emails_send([email.pk for email in emails])

    assert len(smtp_sink.messages) == 1
    statuses = [OutboundEmail.objects.get(pk=email.pk).status for email in emails]
    assert statuses == [Status.SENT, Status.SENDING, Status.SENDING]
    smtp_sink.delay = 0
    deadline = time.monotonic() + 5
    while sweep_outbox() == 0:  # until the lease is over
        assert time.monotonic() < deadline
        time.sleep(0.05)

    assert sorted(m["To"] for m in smtp_sink.messages) == [
        "parent0@example.com", "parent1@example.com", "parent2@example.com"]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {Status.SENT}


def test_unreachable_server_puts_the_whole_batch_in_retry(settings, smtp_settings):
    emails = [announcement(f"parent{n}@example.com") for n in range(3)]
    with socket.socket() as closed:  # bound, not listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = closed.getsockname()[1]
        emails_send([email.pk for email in emails])

    for email in emails:
        email.refresh_from_db()
        assert (email.status, email.attempts) == (Status.RETRY, 1)
        assert "Connection refused" in email.last_error


def test_a_row_that_keeps_killing_the_worker_fails_at_the_sweep(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    email = announcement()
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=Status.SENDING, attempts=3, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )

    assert sweep_outbox() == 0

    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert "worker stopped" in email.last_error


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
def test_transient_refusal_waits_with_exponential_backoff(settings, smtp_settings, smtp_sink,
                                                          stage):
    settings.OUTBOX_RETRY_BASE, settings.OUTBOX_RETRY_MAX = 60, 3600
    smtp_sink.refuse, smtp_sink.refuse_at = "451 4.3.0 Try again later", stage
    email = announcement()

    before = timezone.now()
    emails_send([email.pk])
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.RETRY, 1)
    assert "451" in email.last_error
    # Jitter between half the ceiling and the ceiling: 30 to 60 s for the first retry.
    assert before + timedelta(seconds=30) <= email.next_attempt_at
    assert email.next_attempt_at <= timezone.now() + timedelta(seconds=60)

    emails_send([email.pk])  # not due yet: untouched
    email.refresh_from_db()
    assert email.attempts == 1

    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    before = timezone.now()
    emails_send([email.pk])
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.RETRY, 2)
    assert before + timedelta(seconds=60) <= email.next_attempt_at
    assert email.next_attempt_at <= timezone.now() + timedelta(seconds=120)
    assert smtp_sink.messages == []


def test_refused_until_the_last_attempt_then_failed(settings, smtp_settings, smtp_sink):
    settings.OUTBOX_RETRY_BASE, settings.OUTBOX_MAX_ATTEMPTS = 0, 3
    smtp_sink.refuse = "451 4.3.0 Try again later"
    email = announcement()

    statuses = []
    for _ in range(4):
        emails_send([email.pk])
        email.refresh_from_db()
        statuses.append((email.status, email.attempts))

    assert statuses == [(Status.RETRY, 1), (Status.RETRY, 2), (Status.FAILED, 3),
                        (Status.FAILED, 3)]
    assert "451" in email.last_error and "Try again later" in email.last_error
    assert smtp_sink.messages == []


def test_permanent_refusal_fails_that_row_and_the_batch_goes_on(smtp_settings, smtp_sink):
    smtp_sink.refuse, smtp_sink.refuse_to = "550 5.1.1 No such user", {"gone@example.com"}
    emails = [announcement(address) for address in
              ["alice@example.com", "gone@example.com", "bob@example.com"]]

    emails_send([email.pk for email in emails])

    first, gone, last = (OutboundEmail.objects.get(pk=email.pk) for email in emails)
    assert (gone.status, gone.attempts) == (Status.FAILED, 1)
    assert "550" in gone.last_error and "No such user" in gone.last_error
    assert first.status == last.status == Status.SENT
    assert sorted(m["To"] for m in smtp_sink.messages) == ["alice@example.com",
                                                            "bob@example.com"]


def test_a_refusal_naming_the_address_leaves_it_out_of_the_workers_log(
        smtp_settings, smtp_sink, caplog):
    # Mail servers echo the refused address; the worker's log must not keep a parent's.
    smtp_sink.refuse = "550 5.1.1 <Marie.Gone@example.com>: Recipient address rejected"
    smtp_sink.refuse_to = {"marie.gone@example.com"}
    email = announcement("marie.gone@example.com")

    with caplog.at_level("ERROR", logger="outbox.delivery"):
        emails_send([email.pk])

    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert "marie.gone@example.com" in email.last_error  # for the help desk, in the admin
    assert f"Email {email.pk} failed for good" in caplog.text
    assert "550" in caplog.text and "[recipient]" in caplog.text
    assert "gone@example.com" not in caplog.text.lower()


def test_malformed_recipient_fails_at_once_and_the_others_leave(smtp_settings, smtp_sink):
    good = announcement("alice@example.com")
    malformed = announcement("alice.tremblay@@example")
    other = announcement("bob@example.com")

    emails_send([good.pk, malformed.pk, other.pk])

    malformed.refresh_from_db()
    assert (malformed.status, malformed.attempts) == (Status.FAILED, 1)
    assert malformed.last_error == "Invalid recipient address"
    assert sorted(m["To"] for m in smtp_sink.messages) == ["alice@example.com",
                                                            "bob@example.com"]
    assert OutboundEmail.objects.filter(status=Status.SENT).count() == 2


def test_unknown_template_fails_the_row_without_raising(smtp_settings, smtp_sink):
    email = email_queue(recipient="alice@example.com", template="notifications/no_such_email")

    emails_send([email.pk])

    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert email.last_error.startswith("Template error")
    assert "notifications/no_such_email" in email.last_error
    assert smtp_sink.messages == []


def test_context_naming_a_deleted_model_fails_the_row(smtp_settings, smtp_sink):
    email = announcement()
    OutboundEmail.objects.filter(pk=email.pk).update(
        context={"school": {"__model__": "students.NoSuchModel", "pk": 1}}
    )

    emails_send([email.pk])

    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert "Rendering error" in email.last_error


def test_a_deleted_model_in_one_context_fails_only_that_row_of_the_chunk(smtp_settings,
                                                                         smtp_sink):
    # The worker loads a chunk's contexts together: one broken context must not fail the rest.
    first, broken, last = (announcement(f"parent{n}@example.com") for n in range(3))
    OutboundEmail.objects.filter(pk=broken.pk).update(
        context={"school": {"__model__": "students.NoSuchModel", "pk": 1}}
    )

    emails_send([first.pk, broken.pk, last.pk])

    assert [OutboundEmail.objects.get(pk=email.pk).status for email in (first, broken, last)
            ] == [Status.SENT, Status.FAILED, Status.SENT]
    assert sorted(message["To"] for message in smtp_sink.messages) == [
        "parent0@example.com", "parent2@example.com"]


def test_each_row_is_rendered_in_its_own_language(smtp_settings, smtp_sink):
    english = announcement("en@example.com", language="en")
    french = announcement("fr@example.com", language="fr")

    emails_send([english.pk, french.pk])

    by_recipient = {m["To"]: m for m in smtp_sink.messages}
    assert '<html lang="en">' in html_part(by_recipient["en@example.com"])
    assert '<html lang="fr">' in html_part(by_recipient["fr@example.com"])
    school = "École élémentaire publique Gabrielle-Roy"
    msgid = "New announcement from %(school_name)s"
    assert subject(by_recipient["en@example.com"]) == msgid % {"school_name": school}
    with translation.override("fr"):
        french_subject = gettext(msgid)
    if french_subject != msgid:  # once the French catalogue has it
        assert subject(by_recipient["fr@example.com"]) == french_subject % {
            "school_name": school}


def test_queue_many_bulk_inserts_and_skips_duplicate_keys(
    smtp_settings, smtp_sink, in_process_celery, django_capture_on_commit_callbacks
):
    announcement("parent0@example.com", key="announcement:7:parent0")  # queued before

    def row(n: int) -> OutboundEmail:
        return OutboundEmail(
            idempotency_key=f"announcement:7:parent{n}", recipient=f"parent{n}@example.com",
            template=ANNOUNCEMENT, language="fr",
            context={"school_name": "École secondaire publique De La Salle", "title": "Gala"},
        )

    rows = [row(n) for n in range(9)] + [row(3)]  # parent3 twice
    with django_capture_on_commit_callbacks(execute=True):
        queued = email_queue_many(rows)

    assert queued == 9
    assert OutboundEmail.objects.count() == 9
    recipients = sorted(m["To"] for m in smtp_sink.messages)
    assert recipients == [f"parent{n}@example.com" for n in range(9)]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {Status.SENT}


def test_a_sent_email_keeps_no_content(smtp_settings, smtp_sink):
    email = announcement()

    emails_send([email.pk])

    email.refresh_from_db()
    assert (email.status, email.context) == (Status.SENT, None)
    # Who, what and when stay for the help desk; what it said is in the mailbox only.
    assert (email.recipient, email.template) == ("alice@example.com", ANNOUNCEMENT)
    assert "Journée des photos" in text_part(smtp_sink.messages[0])


def test_a_failed_email_keeps_its_content_for_a_while_then_forgets_it(settings):
    settings.OUTBOX_FAILED_KEEP_DAYS = 30
    now = timezone.now()

    def aged(status: str, days: int, *, created_days: int | None = None) -> OutboundEmail:
        """An email whose last attempt was `days` ago (created `created_days` ago)."""
        email = announcement(f"{status}-{days}-{created_days}@example.com")
        OutboundEmail.objects.filter(pk=email.pk).update(
            status=status, next_attempt_at=now - timedelta(days=days),
            created_at=now - timedelta(days=created_days or days))
        return email

    too_old = aged(Status.FAILED, 31)
    kept = [aged(Status.FAILED, 29), aged(Status.QUEUED, 31), aged(Status.RETRY, 31),
            # Resent by the help desk, it failed again two days ago: resendable still.
            aged(Status.FAILED, 2, created_days=45)]

    assert emails_forget_failed(now=now) == 1
    assert emails_forget_failed(now=now) == 0  # nothing left to forget

    too_old.refresh_from_db()
    assert (too_old.status, too_old.context) == (Status.FAILED, None)
    for email in kept:  # still to be sent, or still resendable
        email.refresh_from_db()
        assert email.context["title"] == "Journée des photos"


def test_the_daily_task_forgets_old_failed_emails(settings):
    email = announcement()
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=Status.FAILED, next_attempt_at=timezone.now() - timedelta(days=45))
    schedule = settings.CELERY_BEAT_SCHEDULE["forget-failed-emails"]
    assert schedule["task"] == forget_failed_emails.name

    assert forget_failed_emails.apply().get() == 1

    email.refresh_from_db()
    assert email.context is None
