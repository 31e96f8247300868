"""Famille benchmark: a logged-in parent's Détails and Emploi du temps pages, in requests
per second, against a bare Django view served the same way in the same run.

    createdb -h 127.0.0.1 -U postgres portail_bench_family
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portail_bench_family \\
    .venv/bin/python bench/family.py

It migrates the database it is given and loads the demo board with 20,000 students
(`seed_demo`, which does nothing when the board is there), publishes the timetables of the
current year, then serves the portal with gunicorn (2 sync workers, DEBUG off) and loads
each page with wrk, as the demo parent `parent.demo` (three children in two schools),
with the session cookie of a real login. With REDIS_URL set, the server keeps its cache
and sessions in Redis, as in production; without, sessions are in PostgreSQL and each
worker has its own cache. Goal (issue 6): each page at 25 % or more of the bare view's
rate. Needs wrk (`apt-get install -y wrk`).
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
GOAL = 0.25
PARENT = "parent.demo"


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… (a database of its own).")
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portail.settings")
    import django

    django.setup()


def prepare(students: int) -> str:
    """Seed the board, publish this year's timetables; the demo parent's secondary child."""
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from students.models import School, Student
    from students.selectors import students_visible_to

    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", "--students", str(students))
    publish_timetables()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics after the bulk load, as in production
    parent = User.objects.get(username=PARENT)
    child = students_visible_to(parent).filter(grade__gte=9).first()
    if child is None:
        sys.exit(f"{PARENT} has no secondary child: is the demo board complete?")
    print(f"Data: {Student.objects.count():,} students, {School.objects.count()} schools; "
          f"pages of {child.first_name} {child.last_name} (grade {child.grade}).")
    return str(child.public_id)


def publish_timetables() -> None:
    """The Emploi du temps page must draw its grid: every school's timetable, published."""
    from students import timetable_cache
    from students.models import School, TimetablePublication
    from students.selectors import current_school_year

    year = current_school_year()
    TimetablePublication.objects.bulk_create(
        [TimetablePublication(school=school, school_year=year, published_on=year.start_date)
         for school in School.objects.all()],
        ignore_conflicts=True,
    )
    TimetablePublication.objects.filter(school_year=year, published_on__gt=year.start_date
                                        ).update(published_on=year.start_date)
    timetable_cache.retire()  # neither bulk_create nor update sends signals


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(BASE_DIR), str(BASE_DIR / "bench")]),
        # As in production: DEBUG off (no query log, cached templates), a real secret key;
        # plain HTTP on the loopback, so no HTTPS redirect.
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": str(BASE_DIR / "var" / "bench-static"),
        "MEDIA_ROOT": str(BASE_DIR / "var" / "media"),
    }


def start_gunicorn(port: int, log: Path, threads: int, *, command: list[str] | None = None,
                   code: Path = BASE_DIR) -> subprocess.Popen:
    """gunicorn on family_wsgi with 2 workers of `threads` threads, or `command`; `code`:
    another copy of the repository to serve (same database, files and static root)."""
    env = server_env()
    env["PYTHONPATH"] = os.pathsep.join([str(code), str(code / "bench")])
    # DEBUG off serves hashed static names from a manifest: collect them first.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput",  # noqa: S603
                    "--verbosity", "0"], cwd=code, env=env, check=True)
    # No access log: it would only add the same cost to every page.
    command = command or [sys.executable, "-m", "gunicorn", "family_wsgi:application",
                          "--workers", "2", "--threads", str(threads), "--bind",
                          f"127.0.0.1:{port}"]
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=code, env=env, stdout=output,  # noqa: S603
                                  stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped: see {log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit(f"gunicorn did not start: see {log}")


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    return dict(re.match(r"([^=]+)=([^;]*)", header).groups()
                for header in response.headers.get_all("Set-Cookie") or [])


def log_in(port: int) -> str:
    """Log in through the real login form; the Cookie header of the session it opens."""
    from demo.seed import PASSWORD

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/comptes/login/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf_cookie = _cookies(response)["csrftoken"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    connection.request(
        "POST", "/comptes/login/",
        body=urlencode({"login": PARENT, "password": PASSWORD, "csrfmiddlewaretoken": token}),
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Cookie": f"csrftoken={csrf_cookie}"},
    )
    response = connection.getresponse()
    response.read()
    session = _cookies(response).get("sessionid")
    if response.status != 302 or not session:
        sys.exit(f"Login as {PARENT} failed (HTTP {response.status}).")
    return f"sessionid={session}; csrftoken={csrf_cookie}"


def check_page(port: int, path: str, cookie: str, expected: str) -> None:
    """The page really renders for this parent (not a login redirect or an error)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    body = response.read().decode()
    if response.status != 200 or expected not in body:
        sys.exit(f"{path}: HTTP {response.status}, {expected!r} not in the page")


def wrk(port: int, path: str, cookie: str, *, seconds: int, connections: int) -> float:
    result = subprocess.run(  # noqa: S603
        ["wrk", "--threads", "1", "--connections", str(connections),  # noqa: S607
         "--duration", f"{seconds}s", "--header", f"Cookie: {cookie}",
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True,
    )
    if "Non-2xx" in result.stdout:
        sys.exit(f"{path}: wrk got errors:\n{result.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=6,
                        help="per page and round (default 6)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1,
                        help="per worker: 1 = sync workers (default); the Dockerfile has 4")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    setup_django()
    public_id = prepare(args.students)
    from family_wsgi import BARE_PATH

    port, log = free_port(), BASE_DIR / "var" / "bench-family-gunicorn.log"
    log.parent.mkdir(exist_ok=True)
    server = start_gunicorn(port, log, args.threads)
    try:
        cookie = log_in(port)
        pages = {
            "bare view (reference)": ("/" + BARE_PATH, "ok"),
            "Détails (Démographie)": (f"/famille/{public_id}/", public_id),
            "Emploi du temps": (f"/famille/{public_id}/emploi-du-temps/", "timetable__code"),
        }
        for path, expected in pages.values():
            check_page(port, path, cookie, expected)
            wrk(port, path, cookie, seconds=2, connections=args.connections)  # warm-up
        # Rounds that alternate the pages, then each page's median: a shared machine's
        # load drifts, and it then weighs on every page alike.
        samples: dict[str, list[float]] = {name: [] for name in pages}
        for _round in range(args.rounds):
            for name, (path, _expected) in pages.items():
                samples[name].append(wrk(port, path, cookie, seconds=args.seconds,
                                         connections=args.connections))
        rates = {name: statistics.median(rates) for name, rates in samples.items()}
    finally:
        server.terminate()
        server.wait(timeout=30)

    reference = rates["bare view (reference)"]
    stores = ("Redis for the cache and sessions (REDIS_URL)" if os.environ.get("REDIS_URL")
              else "sessions in PostgreSQL, a per-process cache (no REDIS_URL)")
    print(f"gunicorn 2 workers × {args.threads} thread(s), {stores}; wrk 1 thread × "
          f"{args.connections} connections, median of {args.rounds} rounds of "
          f"{args.seconds} s per page, logged in as {PARENT}:")
    failed = False
    for name, rate in rates.items():
        ratio = rate / reference
        verdict = "" if name.startswith("bare") else (
            "  goal met" if ratio >= GOAL else f"  BELOW the {GOAL:.0%} goal")
        failed |= ratio < GOAL
        print(f"  {name:<24} {rate:>8.1f} req/s  {ratio:>6.1%}{verdict}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
