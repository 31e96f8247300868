"""A whole board's morning of absence reports (issue 17): 2,000 reports sent through the
real form, against the Détails page in the same run, then the safe-arrival run for 500
unexplained absences. (bench/absences.py is another thing: the school's attendance
records becoming notification emails.)

    createdb -h 127.0.0.1 -U postgres portail_bench_absences
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portail_bench_absences \\
    REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/absence_reports.py

On the demo board of bench/family.py (20,000 students, made if missing), served by gunicorn
(2 sync workers, DEBUG off) and logged in as the demo parent through the real login form:

1. Rounds that alternate 500 GETs of the Détails page (the reference) and 500 POSTs of
   "Signaler une absence" (one child, a whole day, a note: a report, its confirmation
   event, the redirect), each from `--connections` keep-alive connections; the rates are
   the medians of the rounds. Goal: reports at 50 % or more of the Détails page's rate.
2. 500 elementary children marked absent by their teachers on the reports' day, then
   `safe_arrival_run` at 9:30 of that day: the checks, and an email with its signed link
   to each guardian who may report, queued in the outbox. Goal: within 10 s.

The reports' day is the next school day (so that every report is valid whatever day the
bench runs). Everything the bench made is removed at the end.
"""

import argparse
import http.client
import re
import statistics
import sys
import threading
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from urllib.parse import urlencode

import family

REPORTS = 2000
ROUNDS = 4
UNEXPLAINED = 500
RATE_GOAL = 0.5
QUEUE_GOAL_SECONDS = 10
NOTE = "Fièvre depuis hier soir, elle reste à la maison."


def load(port: int, method: str, path: str, cookie: str, *, body: str = "", count: int,
         connections: int, expected: int) -> float:
    """Requests per second for `count` requests over `connections` keep-alive connections."""
    left = iter(range(count))
    lock, failures = threading.Lock(), []
    headers = {"Cookie": cookie}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if next(left, None) is None:
                    return
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != expected:
                failures.append(response.status)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        sys.exit(f"{method} {path}: {len(failures)} answers were not {expected}: "
                 f"{sorted(set(failures))}")
    return count / elapsed


def report_day():
    from django.utils import timezone

    from absences import selectors

    day = timezone.localdate() + timedelta(days=1)
    off = selectors.days_off([], day, day + timedelta(days=30))
    while not selectors.is_school_day(0, day, off):
        day += timedelta(days=1)
    return day


def form_token(port: int, path: str, cookie: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    page = response.read().decode()
    if response.status != 200:
        sys.exit(f"{path}: HTTP {response.status}")
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def safe_arrival(day) -> tuple[int, int, int, float]:
    """500 unexplained absences on `day`, then the 9:30 run: (children, checks, emails,
    seconds)."""
    from django.utils import timezone

    from absences.models import AbsenceReport
    from absences.services import safe_arrival_run
    from outbox.models import OutboundEmail
    from students.models import AttendanceCode, AttendanceRecord, Level, Student

    code = AttendanceCode.objects.get(code="ANM")
    reported = AbsenceReport.objects.filter(start_date__lte=day, end_date__gte=day)
    children = list(Student.objects.filter(school__level=Level.ELEMENTARY)
                    .exclude(pk__in=reported.values("student_id"))
                    .exclude(attendance__date=day).order_by("pk")[:UNEXPLAINED])
    AttendanceRecord.objects.bulk_create(
        [AttendanceRecord(student=child, date=day, code=code) for child in children])
    now = datetime.combine(day, clock(9, 30), timezone.get_default_timezone())
    started = time.perf_counter()
    checks = safe_arrival_run(now=now)
    seconds = time.perf_counter() - started
    emails = OutboundEmail.objects.filter(template="absences/safe_arrival").count()
    return len(children), checks, emails, seconds


def clean_up(day, parent_id: int) -> None:
    from django.db import transaction

    from absences.models import AbsenceReport, SafeArrivalCheck
    from notifications.models import Event
    from outbox.models import OutboundEmail
    from students.models import AttendanceRecord

    with transaction.atomic():
        SafeArrivalCheck.objects.filter(date=day).delete()
        AttendanceRecord.objects.filter(date=day, code__code="ANM").delete()
        OutboundEmail.objects.filter(template__startswith="absences/").delete()
        Event.objects.filter(key__startswith="absence_report:").delete()
        AbsenceReport.objects.filter(start_date=day, reported_by_id=parent_id).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()

    family.setup_django()
    public_id = family.prepare(args.students)
    from accounts.models import User
    from outbox.models import OutboundEmail

    parent = User.objects.get(username=family.PARENT)
    day = report_day()
    OutboundEmail.objects.filter(template__startswith="absences/").delete()
    port = family.free_port()
    log = family.BASE_DIR / "var" / "bench-absences-gunicorn.log"
    Path(log).parent.mkdir(exist_ok=True)
    server = family.start_gunicorn(port, log, threads=1)
    details_path = f"/famille/{public_id}/"
    report_path = f"/famille/{public_id}/assiduite/signaler/"
    per_round = REPORTS // ROUNDS
    try:
        cookie = family.log_in(port)
        family.check_page(port, details_path, cookie, public_id)
        from students.models import Student

        child = Student.objects.get(public_id=public_id)
        body = urlencode({"csrfmiddlewaretoken": form_token(port, report_path, cookie),
                          "children": child.pk, "kind": "days",
                          "start_date": day.isoformat(), "reason": "illness", "note": NOTE})
        load(port, "GET", details_path, cookie, count=50, connections=args.connections,
             expected=200)  # warm-up
        samples: dict[str, list[float]] = {"Détails (reference)": [], "report": []}
        for _round in range(ROUNDS):
            samples["Détails (reference)"].append(load(
                port, "GET", details_path, cookie, count=per_round,
                connections=args.connections, expected=200))
            samples["report"].append(load(
                port, "POST", report_path, cookie, body=body, count=per_round,
                connections=args.connections, expected=302))
    finally:
        server.terminate()
        server.wait(timeout=30)

    from absences.models import AbsenceReport

    stored = AbsenceReport.objects.filter(start_date=day, reported_by=parent).count()
    children, checks, emails, seconds = safe_arrival(day)
    clean_up(day, parent.pk)

    details = statistics.median(samples["Détails (reference)"])
    reports = statistics.median(samples["report"])
    ratio = reports / details
    print(f"gunicorn 2 sync workers, {args.connections} keep-alive connections, logged in as "
          f"{family.PARENT}; {ROUNDS} rounds of {per_round} requests per page, medians; "
          f"reports for {day}:")
    print(f"  Détails (reference)      {details:>7.1f} req/s")
    print(f"  Signaler une absence     {reports:>7.1f} req/s  {ratio:>6.1%} of Détails "
          f"(goal >= {RATE_GOAL:.0%}); {stored:,} reports stored")
    print(f"  safe arrival at 9:30     {children} unexplained absences: {checks} checks, "
          f"{emails} emails queued in {seconds:.2f} s (goal < {QUEUE_GOAL_SECONDS} s)")
    ok = (ratio >= RATE_GOAL and seconds < QUEUE_GOAL_SECONDS and stored == REPORTS
          and checks == children)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
