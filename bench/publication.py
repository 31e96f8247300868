"""Publication benchmark: a school of 1,000 students publishes its report cards, rendered by
ONE `pdf` worker, end to end; and that worker's memory over 2,000 report cards.

    createdb -h 127.0.0.1 -U postgres portail_bench_publication
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portail_bench_publication \\
    REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/publication.py

It migrates the database it is given, builds its school once (an elementary school of
`--students` pupils, in families of one or two children, each with a parent account) and,
on every run, deletes its earlier periods, report-card files, events and outbox emails,
and purges the Celery queues of that Redis database: give it databases of its own (and run
no tests on that Redis database meanwhile: they empty it, queued tasks with it).

Then, as production runs it (docker-compose.yml's `pdf` service): a real Celery worker,
`-Q pdf -c 1` (prefork, one child), on PostgreSQL and Redis, storing the PDFs in the local
private storage (MEDIA_ROOT under var/, the default; S3 is configuration). Each period is
published with documents.services.period_publish (the admin's action) and timed from the
call to the last stored PDF; the parents' emails are then planned and queued as Celery
beat's minute task does (notifications.events.deliveries_send, at the end of the quiet
hours if the run falls in them). The worker's resident memory (its main process and its
child, from /proc) is sampled every half second over `--periods` periods (two: 2,000
report cards). Goals (issue 12): the time, reported; the worker under 400 MB.
"""

import argparse
import datetime
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
MEDIA_ROOT = BASE_DIR / "var" / "bench-publication-media"
GOAL_MB = 400
SCHOOL_CODE = "BPUB1"


def setup_django() -> None:
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing or not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… (a database of its own) and REDIS_URL=redis://…")
    os.environ["MEDIA_ROOT"] = str(MEDIA_ROOT)
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portail.settings")
    import django

    django.setup()


def build(students: int):
    """The school, its pupils and their parents, made once."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from accounts.models import User
    from students import models

    call_command("migrate", "--noinput", verbosity=0)
    school = models.School.objects.filter(code=SCHOOL_CODE).first()
    if school is not None:
        if school.students.count() != students:
            sys.exit(f"The school has {school.students.count()} students: for {students}, "
                     "give the benchmark a new database.")
        return school
    today = datetime.date.today()
    start = today.year if today.month >= 9 else today.year - 1
    with transaction.atomic():
        models.SchoolYear.objects.get_or_create(
            name=f"{start}-{start + 1}", defaults={"start_date": datetime.date(start, 9, 1),
                                                   "end_date": datetime.date(start + 1, 6, 30)})
        school = models.School.objects.create(
            ministry_number="998877", code=SCHOOL_CODE, name="École élémentaire publique Banc",
            level=models.Level.ELEMENTARY, street="2445, boulevard Saint-Laurent",
            city="Ottawa", postal_code="K1G 6C3", phone="6137428960",
            principal_name="Mme Josée Lalonde")
        family, guardian = 0, None
        for number in range(students):
            # Families of two children, then of one: an email per family, not per child.
            if guardian is None or number >= students * 4 // 5 or number % 2 == 0:
                family += 1
                user = User.objects.create(username=f"bench.pub.{family}",
                                           email=f"famille{family}@example.com",
                                           first_name="Parent", last_name=f"Banc{family}")
                guardian = models.Guardian.objects.create(
                    first_name="Parent", last_name=f"Banc{family}", user=user,
                    street="1, rue A", city="Ottawa", postal_code="K1G 6C3")
            student = models.Student.objects.create(
                niso=f"98{number:07d}", legal_first_name=f"Enfant{number}",
                legal_last_name=f"Banc{family}", date_of_birth=datetime.date(2015, 3, 14),
                gender="F", school=school, grade=1 + number % 6, city="Ottawa",
                postal_code="K1G 6C3")
            models.StudentGuardian.objects.create(student=student, guardian=guardian,
                                                  relationship="mother", has_custody=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return school


def reset(school) -> None:
    """Forget the earlier runs: their periods (cascading to cards and files), the files,
    the report-card events and the outbox."""
    from notifications.models import Category, Event
    from outbox.models import OutboundEmail
    from portail.celery import app

    school.reporting_periods.all().delete()
    Event.objects.filter(category=Category.REPORT_CARD).delete()
    OutboundEmail.objects.all().delete()
    shutil.rmtree(MEDIA_ROOT, ignore_errors=True)
    app.control.purge()


def period_with_cards(school, number: int):
    """A reporting period published today, every pupil's report card filled (12 subjects,
    comments of four sentences, the learning skills), as teachers leave it before publishing."""
    from django.db import transaction
    from django.utils import timezone

    from demo.report_cards import demo_report_card
    from documents.models import ReportingPeriod
    from students.selectors import current_school_year

    today = timezone.localdate()
    year = current_school_year(today=today)
    with transaction.atomic():
        period = ReportingPeriod.objects.create(
            school=school, school_year=year, kind=ReportingPeriod.Kind.ELEMENTARY_PROVINCIAL,
            name=f"Bulletin de banc d’essai {number}", start_date=year.start_date,
            end_date=today, publication_date=today)
        for student in school.students.order_by("pk"):
            demo_report_card(period, student)
    return period


def start_worker(log: Path) -> subprocess.Popen:
    """The pdf service of docker-compose.yml, in production settings."""
    env = {**os.environ, "PYTHONPATH": str(BASE_DIR), "DEBUG": "false",
           "SECRET_KEY": secrets.token_urlsafe(50), "MEDIA_ROOT": str(MEDIA_ROOT)}
    command = [sys.executable, "-m", "celery", "-A", "portail", "worker", "-Q", "pdf",
               "-c", "1", "-n", "pdf-bench@%h", "--without-mingle", "--without-gossip",
               "-l", "info"]
    with log.open("wb") as output:
        worker = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=output,  # noqa: S603
                                  stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while b" ready." not in log.read_bytes():
        if worker.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"The pdf worker did not start: see {log}")
        time.sleep(0.2)
    return worker


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in
                Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


class MemorySampler(threading.Thread):
    """The worker's resident memory every half second: its main process, its (current)
    child, and the largest of each seen; with the number of cards rendered at each peak."""

    def __init__(self, pid: int, rendered) -> None:
        super().__init__(daemon=True)
        self.pid, self.rendered = pid, rendered
        self.main_mb = self.child_mb = 0.0
        self.samples: list[tuple[int, float]] = []  # (cards rendered, child's MB)
        self.children: set[int] = set()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.5):
            self.main_mb = max(self.main_mb, _rss_mb(self.pid))
            for child in _children(self.pid):
                self.children.add(child)
                child_mb = _rss_mb(child)
                self.child_mb = max(self.child_mb, child_mb)
                self.samples.append((self.rendered(), child_mb))


def rendered_count() -> int:
    from documents.models import ReportCardFile

    return ReportCardFile.objects.filter(card__period__school__code=SCHOOL_CODE).count()


def publish_and_wait(period, timeout: float) -> tuple[float, int]:
    """Publish as staff do; seconds from the call to the last stored PDF, and how many."""
    from documents import services
    from documents.models import ReportCard

    started = time.perf_counter()
    result = services.period_publish(period=period)
    while period.report_cards.filter(status=ReportCard.Status.QUEUED).exists():
        if time.perf_counter() - started > timeout:
            sys.exit(f"Timed out with {rendered_count()} report cards rendered")
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    failed = period.report_cards.filter(status=ReportCard.Status.FAILED).first()
    if failed is not None:
        sys.exit(f"A report card failed: {failed.status_reason}")
    return seconds, result.queued


def emails_queue(children: int, timeout: float) -> tuple[float, int, int]:
    """Once the worker has recorded the news of every child (after its last card), as beat's
    minute task does: plan the deliveries and queue the emails (at the end of the quiet
    hours, if now is in them). Seconds after the last PDF, emails queued, parents told."""
    from django.db.models import Max
    from django.utils import timezone

    from notifications import events
    from notifications.models import Category, Delivery, Event
    from outbox.models import OutboundEmail

    started = time.perf_counter()
    while Event.objects.filter(category=Category.REPORT_CARD).count() < children:
        if time.perf_counter() - started > timeout:
            sys.exit("Timed out waiting for the report cards' events")
        time.sleep(0.1)
    now = timezone.now()
    events.events_plan(now=now)
    due = Delivery.objects.filter(batch__isnull=True).aggregate(last=Max("due_at"))["last"]
    events.deliveries_send(now=max(now, due or now))
    seconds = time.perf_counter() - started
    emails = OutboundEmail.objects.all()  # reset() emptied the outbox
    return seconds, emails.count(), emails.values("recipient").distinct().count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1_000)
    parser.add_argument("--periods", type=int, default=2,
                        help="periods published one after the other (memory over them all)")
    parser.add_argument("--timeout", type=float, default=3_600)
    args = parser.parse_args()

    setup_django()
    from django.conf import settings

    from students.models import Guardian

    school = build(args.students)
    reset(school)
    periods = [period_with_cards(school, number + 1) for number in range(args.periods)]
    families = Guardian.objects.filter(student_links__student__school=school).distinct().count()
    log = BASE_DIR / "var" / "bench-publication-worker.log"
    log.parent.mkdir(exist_ok=True)
    load_before = os.getloadavg()[0]
    worker = start_worker(log)
    sampler = MemorySampler(worker.pid, rendered_count)
    sampler.start()
    try:
        idle_mb = _rss_mb(worker.pid) + sum(_rss_mb(child) for child in _children(worker.pid))
        seconds, queued = publish_and_wait(periods[0], args.timeout)
        email_seconds, emails, told = emails_queue(queued, args.timeout)
        later = [publish_and_wait(period, args.timeout) for period in periods[1:]]
    finally:
        sampler.stop.set()
        sampler.join()
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            worker.kill()
    # The worker is our only child (its own child waited for by it): its CPU time.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = children.ru_utime + children.ru_stime
    total = rendered_count()
    size = sum(path.stat().st_size for path in MEDIA_ROOT.rglob("*.pdf"))
    storage = settings.STORAGES["private"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"Publication: {args.students:,} students in {families:,} families, {args.periods} "
          f"period(s), one pdf worker (prefork -c 1, as docker-compose.yml); PostgreSQL, "
          f"Redis, {storage} (local disk); {os.cpu_count()} CPUs, load average "
          f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    print(f"  period 1: {queued:,} report cards from publish to the last stored PDF: "
          f"{seconds:7.1f} s  ({queued / seconds:.2f} cards/s, "
          f"{1000 * seconds / queued:.0f} ms a card)")
    print(f"  then the news recorded, the emails planned and queued (beat's task): "
          f"{email_seconds:.1f} s, "
          f"{emails:,} emails for {told:,} parents ({families:,} families)")
    for number, (seconds, count) in enumerate(later, start=2):
        print(f"  period {number}: {count:,} report cards in {seconds:7.1f} s")
    print(f"  {total:,} PDFs stored, {size / total / 1024:.0f} KB each on average; the "
          f"worker's CPU: {1000 * worker_cpu / total:.0f} ms a card (start-up included)")
    samples = sampler.samples
    first = [mb for cards, mb in samples if cards <= min(200, total // 10)]
    last = [mb for cards, mb in samples if cards >= total - total // 10]
    print(f"  worker memory: {idle_mb:.0f} MB idle (both processes); peak {sampler.main_mb:.0f}"
          f" MB main process, {sampler.child_mb:.0f} MB its child over {total:,} cards "
          f"({len(sampler.children)} child process(es)); the child's largest "
          f"{max(first, default=0):.0f} MB in the first cards, {max(last, default=0):.0f} MB "
          f"in the last; goal < {GOAL_MB} MB")
    peak = sampler.main_mb + sampler.child_mb
    if emails != told or told != families:
        sys.exit(f"Expected one email per family: {emails} emails, {told} parents, "
                 f"{families} families")
    sys.exit(0 if peak < GOAL_MB else 1)


if __name__ == "__main__":
    main()
