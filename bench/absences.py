"""A whole board's morning of absences: 2,000 records taken by the schools in batches (each
class's attendance, as the school's software sends it), each an event for the parents, then
the emails planned and queued, then sent by one worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portail_bench_home \\
    REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python bench/absences.py

On the data of bench/home.py (made if missing: 200 parents, 600 children), 2,000 absences
(periods 1 to 4 of 500 children) recorded in batches of a class (25) with
`students.services.attendance_record_many` (--one-by-one: each saved alone, as the admin
does). The parents' choices vary as a board's do: some turned absences off (for all their
children or one), some take them in the daily summary, some are in their quiet hours; half
the families have a second guardian, a few of whom a court order keeps out. Then
`deliveries_send` plans and queues one email per parent told now. Goal (issue 13): under
10 s; the script checks that exactly the expected parents got an email. Then one worker
sends them (bench/outbox.py's worker and sink): the rate is to compare with outbox.py's.
It purges its Redis database's Celery queues; what it made is removed at the end.
"""

import argparse
import contextlib
import datetime
import importlib.util
import logging
import os
import signal
import sys
import time
from unittest import mock

import home  # noqa: F401 (bench/home.py: the data)

# bench/outbox.py's sink and worker (the name `outbox` is the app's).
_spec = importlib.util.spec_from_file_location("bench_outbox", home.BASE_DIR / "bench/outbox.py")
outbox = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(outbox)

ABSENCES = 2000
CLASS_SIZE = 25
GOAL_SECONDS = 10
SECOND_GUARDIAN = "bench.morning."


def choices(families: list, now: datetime.datetime) -> set[int]:
    """The parents' choices and second guardians; the accounts to be emailed now."""
    from django.utils import timezone

    from accounts.models import User
    from notifications.models import Category, NotificationSettings, Subscription, Timing
    from students.models import Guardian, StudentGuardian

    hour = datetime.timedelta(hours=1)
    quiet = {"quiet_start": timezone.localtime(now - hour).time(),
             "quiet_end": timezone.localtime(now + hour).time()}
    told = set()
    for number, (user, children) in enumerate(families):
        absent_children = [child for child in children if child.absent]
        if number % 10 == 1:  # absences off for all the children
            Subscription.objects.create(user=user, category=Category.ATTENDANCE,
                                        timing=Timing.OFF)
        elif number % 10 == 2:  # absences in the daily summary
            Subscription.objects.create(user=user, category=Category.ATTENDANCE,
                                        timing=Timing.DIGEST)
        elif number % 10 == 3:  # quiet hours now: held until they end
            NotificationSettings.objects.create(user=user, **quiet)
        elif number % 10 == 4:  # off for the first child only
            Subscription.objects.create(user=user, student=children[0],
                                        category=Category.ATTENDANCE, timing=Timing.OFF)
            if any(child.absent for child in children[1:]):
                told.add(user.pk)
        elif absent_children:
            told.add(user.pk)
        if number % 2 == 0:  # a second guardian; one in five kept out by a court order
            second = User.objects.create(username=f"{SECOND_GUARDIAN}{number}",
                                         email=f"second{number}@ex.com", first_name="Père")
            guardian = Guardian.objects.create(first_name="Père", last_name=user.last_name,
                                               user=second, street="1, rue A", city="Ottawa",
                                               postal_code="K1G 6C3")
            court_order = number % 10 == 6
            StudentGuardian.objects.bulk_create([
                StudentGuardian(student=child, guardian=guardian, relationship="father",
                                has_custody=not court_order, portal_access=not court_order,
                                portal_access_off_reason="Ordonnance du tribunal"
                                if court_order else "")
                for child in children])
            if absent_children and not court_order:
                told.add(second.pk)
    return told


REFERENCE_KEY = "bench:morning-reference:"
WARM_UP = 50


@contextlib.contextmanager
def worker_running(timeout: float):
    """bench/outbox.py's sink and one worker, started before the morning so that its
    start-up and first tasks' fixed costs (catalogues, templates, connections) are behind it
    when the measured emails come; the sink, and a function that waits until every row of a
    query is sent. The sink's count is checked at the end: each email once."""
    from aiosmtpd.controller import Controller

    from outbox.models import OutboundEmail

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per command
    sink = outbox.CountingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=outbox.free_port())
    controller.start()
    log = outbox.BASE_DIR / "var" / "bench-absences-worker.log"
    log.parent.mkdir(exist_ok=True)
    worker = outbox.start_worker(controller.port, log)

    def wait_sent(rows, expected: int) -> None:
        launched = time.perf_counter()
        while rows.filter(status=OutboundEmail.Status.SENT).count() < expected:
            if worker.poll() is not None or time.perf_counter() - launched > timeout:
                sys.exit(f"Not all sent; worker log: {log}")
            time.sleep(0.1)

    try:
        yield sink, wait_sent
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
        controller.stop()


def analyse() -> None:
    """The tables were empty when home.py analysed them: with those statistics the planner
    takes 8 s to read an email's deliveries. A board's tables have a history (and
    autovacuum's analysis), so they are analysed as they would be."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notifications_event, notifications_delivery, "
                       "notifications_emailbatch")


def rate(rows, count: int) -> tuple[float, float]:
    """Seconds and emails/s from the rows' sent_at, first to last (as bench/outbox.py)."""
    from django.db.models import Max, Min

    span = rows.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    return seconds, (count - 1) / seconds


def reference_emails(label: str, count: int):
    """`count` of bench/outbox.py's announcement emails queued for the worker: the outbox's
    rate on as many emails as the morning's, by the same warm worker. Their rows."""
    from django.db import transaction

    from outbox.models import OutboundEmail
    from outbox.services import email_queue_many

    with transaction.atomic():
        email_queue_many(
            OutboundEmail(idempotency_key=f"{REFERENCE_KEY}{label}:{n}",
                          recipient=f"parent{n}@example.com", template=outbox.ANNOUNCEMENT,
                          language="fr" if n % 3 else "en", context=outbox.CONTEXT)
            for n in range(count))
    return OutboundEmail.objects.filter(idempotency_key__startswith=f"{REFERENCE_KEY}{label}:")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one-by-one", action="store_true",
                        help="save each absence alone (the admin's path), not by class")
    parser.add_argument("--no-send", action="store_true", help="stop once queued")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()

    import family

    family.setup_django()
    home.build(200)
    from django.db import transaction

    from accounts.models import User
    from notifications.models import (
        Delivery,
        EmailBatch,
        Event,
        NotificationSettings,
        Subscription,
    )
    from outbox.models import OutboundEmail
    from portail.celery import app
    from students.models import AttendanceCode, AttendanceRecord, Guardian, Student

    app.control.purge()
    code, _created = AttendanceCode.objects.get_or_create(
        code="ABS", defaults={"label_fr": "Absence", "label_en": "Absence", "kind": "absent"})
    children = list(Student.objects.filter(legal_last_name__startswith="Banc")
                    .order_by("pk")[:ABSENCES // 4])
    absent = {child.pk for child in children}
    families = []
    for user in User.objects.filter(username__startswith="bench.home.").order_by("pk"):
        kids = list(Student.objects.filter(guardian_links__guardian__user=user).order_by("pk"))
        for kid in kids:
            kid.absent = kid.pk in absent
        families.append((user, kids))
    try:
        run(args, code, children, families)
    finally:
        with transaction.atomic():
            AttendanceRecord.objects.filter(code=code, student__in=children).delete()
            OutboundEmail.objects.filter(template="notifications/event").delete()
            OutboundEmail.objects.filter(idempotency_key__startswith=REFERENCE_KEY).delete()
            Delivery.objects.all().delete()
            EmailBatch.objects.all().delete()
            Event.objects.filter(category="attendance").delete()
            Subscription.objects.filter(user__username__startswith="bench.home.").delete()
            NotificationSettings.objects.filter(user__username__startswith="bench.home."
                                                ).delete()
            Guardian.objects.filter(user__username__startswith=SECOND_GUARDIAN).delete()
            User.objects.filter(username__startswith=SECOND_GUARDIAN).delete()


def run(args, code, children, families) -> None:
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from notifications.events import deliveries_send
    from notifications.models import Delivery, Timing
    from outbox import services as outbox_services
    from outbox.models import OutboundEmail
    from outbox.tasks import enqueue_sending
    from students.models import AttendanceRecord

    now = timezone.now()
    told = choices(families, now)
    today = timezone.localdate()
    records = [AttendanceRecord(student=child, date=today, period=period, code=code)
               for period in range(1, 5) for child in children]
    # A worker has its URLs and templates loaded: so does this process before the clock.
    from django.urls import reverse
    reverse("home")
    load = os.getloadavg()
    started = time.perf_counter()
    if args.one_by_one:
        with transaction.atomic():
            for record in records:
                record.save()
    else:
        from students.services import attendance_record_many

        for start in range(0, len(records), CLASS_SIZE):
            attendance_record_many(records[start:start + CLASS_SIZE])
    recorded = time.perf_counter() - started
    # The rows are queued as in production; their ids reach the broker once the worker is
    # warm (below), so that what it sends first is not the measured emails.
    held_ids = []
    started = time.perf_counter()
    with mock.patch.object(outbox_services, "enqueue_sending", held_ids.extend):
        queued = deliveries_send(now=timezone.now() + datetime.timedelta(seconds=1))
    sending = time.perf_counter() - started
    emailed = set(User.objects.filter(email__in=OutboundEmail.objects.filter(
        template="notifications/event").values("recipient")).values_list("pk", flat=True))
    if emailed != told:
        sys.exit(f"Emailed {len(emailed)} parents, expected {len(told)}: "
                 f"{len(emailed - told)} too many, {len(told - emailed)} missing")
    rates = {}
    if not args.no_send:
        analyse()
        morning = OutboundEmail.objects.filter(template="notifications/event")
        with worker_running(args.timeout) as (sink, wait_sent):
            wait_sent(reference_emails("warm-up", WARM_UP), WARM_UP)
            for label in ("before", "morning", "after"):
                if label == "morning":
                    started = time.perf_counter()
                    enqueue_sending(held_ids)
                    sending += time.perf_counter() - started  # the hand-off, counted
                    rows = morning
                else:
                    rows = reference_emails(label, queued)
                wait_sent(rows, queued)
                rates[label] = rate(rows, queued)
        if sink.accepted != WARM_UP + 3 * queued or sink.duplicates():
            sys.exit(f"The sink got {sink.accepted} emails ({sink.duplicates()} duplicates) "
                     f"instead of {WARM_UP + 3 * queued} once each.")
    total = recorded + sending
    held = Delivery.objects.filter(batch__isnull=True)
    print(f"Load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end")
    print(f"{len(records):,} absences of {len(children)} children "
          f"({'one by one' if args.one_by_one else f'in batches of {CLASS_SIZE}'}): "
          f"recorded with their events in {recorded:.2f} s; {queued} emails planned and "
          f"queued in {sending:.2f} s ({Delivery.objects.count():,} deliveries, "
          f"{held.filter(timing=Timing.DIGEST).count()} for the summary, "
          f"{held.filter(timing=Timing.IMMEDIATE).count()} held by quiet hours); "
          f"total {total:.2f} s (goal < {GOAL_SECONDS} s)")
    if rates:
        reference = (rates["before"][1] + rates["after"][1]) / 2
        print(f"sent by one warm worker (after {WARM_UP} emails), {queued} of each, emails/s: "
              f"outbox.py's announcement {rates['before'][1]:.1f} before and "
              f"{rates['after'][1]:.1f} after, the morning's {rates['morning'][1]:.1f} "
              f"({rates['morning'][0]:.2f} s): {rates['morning'][1] / reference:.2f} of the "
              "outbox's rate")
    if total >= GOAL_SECONDS:
        sys.exit(1)

if __name__ == "__main__":
    main()
