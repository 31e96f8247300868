"""Outbox benchmark: queue 10,000 notification emails, then send them with ONE worker.

    createdb -h 127.0.0.1 -U postgres portail_bench_outbox
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portail_bench_outbox \\
    REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/outbox.py

It migrates the database it is given and empties its outbox, and purges the Celery queues
of that Redis database: give it databases of its own. Goals (DESIGN.md, issue 3): queueing
under 10 s, sending at 100 emails/s or more. The reference, measured in the same run
(before and after), renders the same email and sends it straight over one SMTP
connection, with no outbox.
"""

import argparse
import logging
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
ANNOUNCEMENT = "notifications/announcement"
CONTEXT = {"school_name": "École secondaire publique Louis-Riel",
           "title": "Soirée d'information sur le secondaire"}


class CountingSink:
    """An aiosmtpd handler that counts messages by Message-ID (no parsing: cheap)."""

    message_id = re.compile(rb"^Message-ID: (<[^>]+>)", re.MULTILINE | re.IGNORECASE)

    def __init__(self) -> None:
        self.accepted = 0
        self.ids: dict[bytes, int] = {}
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        found = self.message_id.search(envelope.content)
        with self._lock:
            self.accepted += 1
            if found:
                self.ids[found[1]] = self.ids.get(found[1], 0) + 1
        return "250 Message accepted for delivery"

    def duplicates(self) -> int:
        return sum(count - 1 for count in self.ids.values())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def setup_django() -> None:
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing or not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… (a database of its own) and REDIS_URL=redis://…")
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portail.settings")
    import django

    django.setup()


def reference(count: int, port: int) -> tuple[float, float]:
    """Render `count` emails and send them over one connection, no outbox.

    Returns the seconds it took and the CPU seconds of this process (sender and sink).
    """
    from django.core.mail.backends.smtp import EmailBackend

    from outbox.delivery import render_email
    from outbox.models import OutboundEmail

    connection = EmailBackend(host="127.0.0.1", port=port, username="", password="",
                              use_tls=False, use_ssl=False, timeout=20)
    started, cpu = time.perf_counter(), time.process_time()
    connection.open()
    for n in range(count):
        email = OutboundEmail(pk=n, recipient=f"reference{n}@example.com", template=ANNOUNCEMENT,
                              language="fr", context=CONTEXT)
        message = render_email(email)
        message.connection = connection
        message.send()
    connection.close()
    return time.perf_counter() - started, time.process_time() - cpu


def queue(count: int) -> tuple[float, float]:
    """Seconds to bulk-insert `count` rows, and then to hand them to the broker."""
    from django.db import transaction

    from outbox.models import OutboundEmail
    from outbox.services import email_queue_many

    rows = [
        OutboundEmail(idempotency_key=f"bench:announcement:{n}", recipient=f"parent{n}@example.com",
                      template=ANNOUNCEMENT, language="fr" if n % 3 else "en", context=CONTEXT)
        for n in range(count)
    ]
    started = time.perf_counter()
    with transaction.atomic():
        queued = email_queue_many(rows)
        inserted = time.perf_counter()
    enqueued = time.perf_counter()  # on_commit: the tasks are in Redis
    assert queued == count, f"{queued} rows queued instead of {count}"
    return inserted - started, enqueued - inserted


def start_worker(port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(BASE_DIR),
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        # As in production: DEBUG off (no query log), so a real secret key.
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    command = [sys.executable, "-m", "celery", "-A", "portail", "worker", "-P", "solo", "-c", "1",
               "-Q", "default", "-n", "outbox-bench@%h", "--without-mingle", "--without-gossip",
               "-l", "info"]
    with log.open("wb") as output:
        return subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=output,  # noqa: S603
                                stderr=subprocess.STDOUT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--reference", type=int, default=1_000)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    setup_django()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max, Min

    from outbox.models import OutboundEmail
    from portail.celery import app

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per command
    call_command("migrate", verbosity=0)
    OutboundEmail.objects.all().delete()
    app.control.purge()
    sink = CountingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    log = BASE_DIR / "var" / "bench-outbox-worker.log"
    log.parent.mkdir(exist_ok=True)
    load_before = os.getloadavg()[0]
    worker = None
    try:
        before = reference(args.reference, controller.port)

        insert_seconds, enqueue_seconds = queue(args.emails)

        sink.accepted, sink.ids = 0, {}
        launched, sink_cpu = time.perf_counter(), time.process_time()
        worker = start_worker(controller.port, log)
        sent = 0
        while sent < args.emails:
            if worker.poll() is not None or time.perf_counter() - launched > args.timeout:
                sys.exit(f"Stopped with {sent} of {args.emails} sent; worker log: {log}")
            time.sleep(0.25)
            sent = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count()
        wall = time.perf_counter() - launched
        sink_cpu = time.process_time() - sink_cpu
        accepted, duplicates = sink.accepted, sink.duplicates()
        span = OutboundEmail.objects.aggregate(first=Min("sent_at"), last=Max("sent_at"))
        sending = (span["last"] - span["first"]).total_seconds()
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)

        after = reference(args.reference, controller.port)
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
        controller.stop()
    # The worker is our only child: its CPU time (start-up included), whatever else runs.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = children.ru_utime + children.ru_stime

    outbox_rate = (args.emails - 1) / sending
    direct_rates = [args.reference / seconds for seconds, _ in (before, after)]
    direct_rate = sum(direct_rates) / 2
    direct_cpu = 1000 * (before[1] + after[1]) / (2 * args.reference)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        [server_version] = cursor.fetchone()
    print(f"Outbox benchmark: {args.emails:,} emails; PostgreSQL {server_version}, Redis, "
          f"one worker (solo pool), aiosmtpd sink; {os.cpu_count()} CPUs, load average "
          f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    print(f"  queue, bulk insert in one transaction: {insert_seconds:7.2f} s  (goal < 10 s)")
    print(f"  then hand to the broker after commit:  {enqueue_seconds:7.2f} s  "
          f"({-(-args.emails // 50)} tasks of 50)")
    print(f"  send with one worker:                  {sending:7.2f} s  "
          f"{outbox_rate:6.1f} emails/s  (goal >= 100/s; {wall:.1f} s from the worker's launch)")
    print(f"  reference, {args.reference:,} rendered and sent directly over one connection, "
          f"before and after: {direct_rates[0]:.1f} and {direct_rates[1]:.1f} emails/s")
    print(f"  ratio outbox / direct: {outbox_rate / direct_rate:.2f}")
    print(f"  CPU per email: outbox {1000 * worker_cpu / args.emails:.1f} ms in the worker "
          f"+ {1000 * sink_cpu / args.emails:.1f} ms in the sink; direct {direct_cpu:.1f} ms "
          f"(sender and sink)")
    print(f"  sink: {accepted:,} accepted, {accepted - duplicates:,} distinct Message-IDs, "
          f"{duplicates} duplicates")
    if accepted != args.emails or duplicates:
        sys.exit("The sink did not get each email exactly once.")


if __name__ == "__main__":
    main()
