"""Report-card day (issue 16): many different parents at once, every tab, against the
middleware-only view in the same run.

    createdb -h 127.0.0.1 -U postgres portail_bench_day
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portail_bench_day \\
    REDIS_URL=redis://127.0.0.1:6379/1 .venv/bin/python bench/report_card_day.py [--quick]

It migrates the database it is given, loads the demo board (`seed_demo --students 20000`,
nothing when it is there), publishes every school's timetable and a report card for every
student (one reporting period per school, published today; every file is the same real
PDF, rendered once), then opens one session per parent (1,000 parents of the demo board
drawn at random, sessions in the production store: Redis and PostgreSQL) and serves the
portal with the Dockerfile's own gunicorn command (DEBUG off). wrk sends a weighted mix of
every page these parents may open, each request a random (parent, child, page), at 16 and
64 connections, alternating with the bare view of bench/family_wsgi.py (the middleware
only) with the same sessions; medians of the rounds. Each page kind's CPU time and queries
are measured in this process with Django's test client. Goal (issue 16): at 64
connections, p95 under 250 ms with no error, and the mix at 30 % or more of the bare
view's rate. Needs wrk and REDIS_URL.
"""

import argparse
import http.client
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
sys.path.insert(0, str(BASE_DIR))

# The server and this process share the secret key (the sessions made here are valid
# there) and the production settings (this process measures each page kind's cost).
SECRET_KEY = secrets.token_urlsafe(50)

import family  # noqa: E402 (bench/family.py: server environment, timetables, gunicorn)
import serving  # noqa: E402 (bench/serving.py: Dockerfile command, sessions, wrk)

PERIOD_NAME = "Bulletin du banc d’essai"
P95_GOAL_MS = 250
RATE_GOAL = 0.30
BARE = "bare view (middleware only)"
# Report-card evening: the home page's "recently published", Documents and the PDF first,
# then the rest of the child's tabs. (weight, path); {child} and {card} are public ids.
PAGES = {
    "Page d'accueil": (12, "/"),
    "Famille": (5, "/famille/"),
    "Documents": (14, "/famille/{child}/documents/"),
    "Bulletin (PDF)": (14, "/famille/{child}/documents/bulletins/{card}/telecharger/"),
    "Détails": (8, "/famille/{child}/"),
    "Adresse": (2, "/famille/{child}/adresse/"),
    "Contacts": (3, "/famille/{child}/contacts/"),
    "Photo": (2, "/famille/{child}/photo/"),
    "Formulaires parents": (3, "/famille/{child}/formulaires/"),
    "Assiduité": (7, "/famille/{child}/assiduite/"),
    "Relevé de notes": (6, "/famille/{child}/releve/"),
    "Exigences du diplôme": (5, "/famille/{child}/releve/diplome/"),
    "Emploi du temps": (7, "/famille/{child}/emploi-du-temps/"),
    "Adhésion": (3, "/famille/{child}/adhesion/"),
    "Notification": (6, "/famille/{child}/notifications/"),
}
SECONDARY_ONLY = {"Relevé de notes", "Exigences du diplôme"}


@dataclass(frozen=True)
class Child:
    public_id: str
    card: str
    secondary: bool


@dataclass(frozen=True)
class Parent:
    cookie: str
    children: list[Child]


def setup(args) -> None:
    os.environ.update(family.server_env())
    os.environ["SECRET_KEY"] = SECRET_KEY
    server_env = family.server_env
    family.server_env = lambda: {**server_env(), "SECRET_KEY": SECRET_KEY}
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL=redis://…: sessions and cache in Redis, as in production.")
    family.setup_django()


def publish_report_cards() -> None:
    """A reporting period per school published today, a rendered card for every active
    student; each file is the same real report card (rendering 20,000 would take hours)."""
    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.utils import timezone

    from demo.report_cards import demo_report_card
    from documents import rendering
    from documents.models import ReportCard, ReportCardFile, ReportingPeriod, private_storage
    from documents.selectors import report_card_document
    from students.models import Level, School, Student
    from students.selectors import current_school_year

    if ReportingPeriod.objects.filter(name=PERIOD_NAME).exists():
        return
    today, year = timezone.localdate(), current_school_year()
    with transaction.atomic():
        periods = {school.pk: ReportingPeriod.objects.create(
            school=school, school_year=year, name=PERIOD_NAME, start_date=year.start_date,
            end_date=today, publication_date=today, published_at=timezone.now(),
            kind=ReportingPeriod.Kind.SECONDARY_MIDTERM if school.level == Level.SECONDARY
            else ReportingPeriod.Kind.ELEMENTARY_PROVINCIAL)
            for school in School.objects.all()}
        students = list(Student.objects.filter(status=Student.Status.ACTIVE).order_by("pk"))
        with transaction.atomic():  # one real card, rendered, then rolled back
            card = demo_report_card(periods[students[0].school_id], students[0])
            pdf = rendering.report_card_pdf(report_card_document(card))
            transaction.set_rollback(True)
        name = private_storage().save("report-cards/bench-report-card-day.pdf",
                                      ContentFile(pdf))
        cards = ReportCard.objects.bulk_create(
            [ReportCard(period=periods[student.school_id], student=student,
                        grade=student.grade, teacher_name="Mme Lavoie",
                        principal_name="M. Roy", status=ReportCard.Status.RENDERED)
             for student in students], batch_size=2000)
        ReportCardFile.objects.bulk_create(
            [ReportCardFile(card=card, version=1, file=name, size=len(pdf),
                            fingerprint="0" * 64) for card in cards], batch_size=2000)
    print(f"Published {len(cards):,} report cards ({len(pdf):,} bytes each).")


def prepare(students: int, parents: int, rng: random.Random) -> list[Parent]:
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from diplomas import services as diplomas
    from documents.models import ReportCard
    from students.models import Student
    from students.selectors import students_visible_to

    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", "--students", str(students), "--force", verbosity=0)
    family.publish_timetables()
    publish_report_cards()
    # The worker's job after an import (seed_demo queues it): the Relevé pages as data.
    stored = diplomas.store_outdated()
    print(f"Relevé de notes: {stored:,} students' pages stored by the task")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics after the bulk loads
    accounts = list(User.objects.filter(guardian__isnull=False, is_active=True,
                                        is_staff=False).order_by("pk"))
    rng.shuffle(accounts)
    chosen = []
    for user in accounts:
        children = list(students_visible_to(user).order_by("pk"))
        if children:
            chosen.append((user, children))
        if len(chosen) == parents:
            break
    cards = dict(ReportCard.objects.filter(
        period__name=PERIOD_NAME, student__in=[c.pk for _u, cs in chosen for c in cs]
    ).values_list("student_id", "public_id"))
    cookies = serving.open_sessions([user for user, _children in chosen])
    found = [Parent(cookies[user.pk], [Child(str(c.public_id), str(cards[c.pk]),
                                             c.is_secondary) for c in children])
             for user, children in chosen]
    print(f"Data: {Student.objects.count():,} students; {len(found)} parents drawn at random "
          f"with {sum(len(p.children) for p in found)} children, one session each.")
    return found


def plan(parents: list[Parent], count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """`count` requests (kind, path, cookie): each a random parent, page kind (by weight)
    and child among those for whom the parent may open that kind of page."""
    kinds = list(PAGES)
    weights = [PAGES[kind][0] for kind in kinds]
    rows = []
    while len(rows) < count:
        parent = rng.choice(parents)
        kind = rng.choices(kinds, weights)[0]
        children = [c for c in parent.children if c.secondary or kind not in SECONDARY_ONLY]
        if not children or (kind == "Famille" and len(parent.children) < 2):
            continue  # no such page for this parent (one child: Famille is a redirect)
        child = rng.choice(children)
        rows.append((kind, PAGES[kind][1].format(child=child.public_id, card=child.card),
                     parent.cookie))
    return rows


def check(port: int, rows: list[tuple[str, str, str]]) -> None:
    """Each kind of page answers 200 with its content (not a login redirect)."""
    seen = set()
    for kind, path, cookie in rows:
        if kind in seen:
            continue
        seen.add(kind)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        body = response.read()
        marker = b"%PDF" if kind == "Bulletin (PDF)" else b"</html>"
        if response.status != 200 or not body.startswith(marker) and marker not in body:
            sys.exit(f"{kind} {path}: HTTP {response.status}, not the page")


def page_costs(rows: list[tuple[str, str, str]], samples: int) -> dict[str, tuple]:
    """Each kind's median CPU time (ms, this process) and its query counts, with the test
    client, for `samples` different requests of the plan."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from family_wsgi import BARE_PATH

    by_kind = defaultdict(list)
    for kind, path, cookie in rows:
        if len(by_kind[kind]) < samples + 1:
            by_kind[kind].append((path, cookie))
            if len(by_kind[BARE]) < samples + 1:
                by_kind[BARE].append((f"/{BARE_PATH}", cookie))
    client = Client(HTTP_HOST="127.0.0.1")
    costs = {}
    for kind, requests in by_kind.items():
        times, queries = [], set()
        for index, (path, cookie) in enumerate(requests):
            client.cookies[settings.SESSION_COOKIE_NAME] = cookie.split("=", 1)[1]
            # The session's once-a-minute write (accounts.middleware) on the bare view
            # first: what is measured is the page's own cost.
            client.get(f"/{BARE_PATH}")
            with CaptureQueriesContext(connection) as captured:
                start = time.process_time()
                response = client.get(path)
                if response.streaming:
                    b"".join(response.streaming_content)
                spent = time.process_time() - start
            if response.status_code != 200:
                sys.exit(f"{kind} {path}: HTTP {response.status_code} in process")
            if index:  # the first of each kind loads its templates
                times.append(spent * 1000)
                queries.add(len(captured.captured_queries))
        costs[kind] = (statistics.median(times), sorted(queries))
    return costs


def database_cpu(rows: list[tuple[str, str, str]], requests: int, blocks: int = 3
                 ) -> dict[str, tuple[float, float]]:
    """Per request of the plan (in its order: the mix), this process's CPU and that of
    the PostgreSQL backend serving it (/proc: PostgreSQL runs on this machine), in ms,
    with the parameters bound by the client (Django's default: PostgreSQL plans every
    query) and by the server with prepared statements (the settings), in alternate
    blocks on a fresh connection each, after the 5 runs psycopg waits before preparing."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    def backend_cpu() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    configured = dict(connection.settings_dict["OPTIONS"])
    modes = {"client-side binding (Django's default)":
             {**configured, "server_side_binding": False, "prepare_threshold": None},
             "server-side binding, prepared (settings)": configured}
    client = Client(HTTP_HOST="127.0.0.1")
    spent = {mode: [0.0, 0.0] for mode in modes}
    start = 0
    for _block in range(blocks):
        for mode, options in modes.items():
            connection.close()
            connection.settings_dict["OPTIONS"] = options
            for index, (_kind, path, cookie) in enumerate(rows[start:start + 100 + requests]):
                if index == 100:  # warmed up: the connection's statements are prepared
                    python, database = time.process_time(), backend_cpu()
                client.cookies[settings.SESSION_COOKIE_NAME] = cookie.split("=", 1)[1]
                response = client.get(path)
                if response.streaming:
                    b"".join(response.streaming_content)
            spent[mode][0] += time.process_time() - python
            spent[mode][1] += backend_cpu() - database
            start += 100 + requests
    connection.close()
    connection.settings_dict["OPTIONS"] = configured
    count = requests * blocks
    return {mode: (python * 1000 / count, database * 1000 / count)
            for mode, (python, database) in spent.items()}


def load_average() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def code_at(ref: str) -> Path:
    """The repository as of `ref`, exported under var/ (the "before" of a change)."""
    sha = subprocess.run(["git", "rev-parse", "--short", ref], cwd=BASE_DIR,  # noqa: S603, S607
                         capture_output=True, text=True, check=True).stdout.strip()
    target = BASE_DIR / "var" / f"bench-day-{sha}"
    if not target.exists():
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", sha], cwd=BASE_DIR,  # noqa: S603, S607
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive,  # noqa: S603, S607
                       check=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--parents", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=40_000,
                        help="length of the random plan wrk goes through (default 40,000)")
    parser.add_argument("--seconds", type=int, default=15, help="per run (default 15)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--samples", type=int, default=20,
                        help="requests per page kind measured in process (default 20)")
    parser.add_argument("--quick", action="store_true",
                        help="one round of 5 s, 5 samples per page kind")
    parser.add_argument("--before", metavar="REF", nargs="+", default=[],
                        help="also serve the code of these git commits (each with its "
                             "Dockerfile's command), on the same data, in alternate runs")
    parser.add_argument("--variant", action="append", default=[], metavar="OPTIONS",
                        help="also serve this code with these gunicorn options instead of "
                             "the Dockerfile's, e.g. --variant='--workers 2 --threads 8' "
                             "(to compare worker models; repeatable)")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds, args.samples = 1, 5, 5

    setup(args)
    rng = random.Random(16)
    parents = prepare(args.students, args.parents, rng)
    rows = plan(parents, args.requests, rng)
    from family_wsgi import BARE_PATH

    var = BASE_DIR / "var"
    var.mkdir(exist_ok=True)
    # label: (code, gunicorn options instead of the Dockerfile's)
    codes = {f"before ({ref})": (code_at(ref), None) for ref in args.before}
    codes["after" if codes else ""] = (BASE_DIR, None)
    codes.update({f"variant ({options})": (BASE_DIR, options.split())
                  for options in args.variant})
    servers, commands = {}, {}
    try:
        for label, (code, options) in codes.items():
            port = family.free_port()
            command = serving.dockerfile_gunicorn("family_wsgi:application", port, code)
            if options is not None:
                command = [*command[:3], "family_wsgi:application", "--bind",
                           f"127.0.0.1:{port}", *options]
            commands[label] = command
            servers[label] = (port, family.start_gunicorn(
                port, var / f"bench-day-gunicorn-{len(servers)}.log", 0, command=command,
                code=code))
            check(port, rows)
        costs = page_costs(rows, args.samples)
        binding = database_cpu(rows, args.samples * 20)
        scripts = {
            "mix": serving.lua_script(var / "bench-day-mix.lua",
                                      [(path, cookie) for _kind, path, cookie in rows]),
            BARE: serving.lua_script(var / "bench-day-bare.lua",
                                     [(f"/{BARE_PATH}", cookie) for _k, _p, cookie in rows]),
        }
        for port, _server in servers.values():  # warm-up: imports, connections, templates
            for script in scripts.values():
                serving.wrk_run(port, script, seconds=3, connections=16,
                                offset=rng.randrange(len(rows)))
        results = defaultdict(list)
        loads = [load_average()]
        # Rounds that alternate servers and views: the shared machine's load drifts, and
        # then weighs on each alike; each run starts at a random place in the plan.
        for _round in range(args.rounds):
            for connections in args.connections:
                for label, (port, _server) in servers.items():
                    for name, script in scripts.items():
                        results[label, name, connections].append(serving.wrk_run(
                            port, script, seconds=args.seconds, connections=connections,
                            offset=rng.randrange(len(rows))))
                loads.append(load_average())
    finally:
        for _port, server in servers.values():
            server.terminate()
            server.wait(timeout=30)
    report(args, commands, rows, costs, binding, results, loads)


def report(args, commands, rows, costs, binding, results, loads) -> None:
    mix = Counter(kind for kind, _path, _cookie in rows)
    print(f"{len({c for _k, _p, c in rows})} parents, {len({p for _k, p, _c in rows})} "
          f"different pages in a plan of {len(rows):,}; DEBUG off, Redis cache and "
          f"sessions, PostgreSQL; median of {args.rounds} round(s) of {args.seconds} s; "
          f"2 CPUs, load average {' '.join(loads)}")
    print(f"  {'page kind (in process)':<28} {'share':>6} {'CPU/request':>12} {'queries':>8}")
    for kind in [*PAGES, BARE]:
        cpu, queries = costs[kind]
        share = f"{mix[kind] / len(rows):>6.1%}" if kind in mix else ""
        print(f"  {kind:<28} {share:>6} {cpu:>9.1f} ms {'/'.join(map(str, queries)):>8}")
    print(f"  In process, {args.samples * 60} requests of the mix, CPU per request:")
    for mode, (python, database) in binding.items():
        print(f"    {mode:<42} Django {python:>5.1f} ms, PostgreSQL {database:>5.2f} ms")
    met = True
    top = max(args.connections)
    for label, command in commands.items():
        print(f"{label + ': ' if label else ''}gunicorn {' '.join(command[3:])}")
        print(f"  {'':<44} {'pages/s':>8} {'p50':>8} {'p95':>8} {'p99':>8} {'errors':>7}")
        for connections in args.connections:
            rates = {}
            for name in ("mix", BARE):
                runs = results[label, name, connections]
                rates[name] = statistics.median(r.rate for r in runs)
                p95 = statistics.median(r.p95 for r in runs)
                errors = sum(r.errors for r in runs)
                print(f"  {'mixed pages' if name == 'mix' else name:<30} "
                      f"{connections:>3} connections {rates[name]:>8.1f} "
                      f"{statistics.median(r.p50 for r in runs):>6.0f}ms {p95:>6.0f}ms "
                      f"{statistics.median(r.p99 for r in runs):>6.0f}ms {errors:>7}"
                      + (f"  ({sum(r.non_2xx for r in runs)} non-2xx)" if errors else ""))
                if name == "mix" and connections == top and label in ("", "after"):
                    met &= p95 < P95_GOAL_MS and errors == 0
            ratio = rates["mix"] / rates[BARE] if rates[BARE] else 0
            print(f"  mixed / bare view at {connections} connections: {ratio:.1%}")
            if connections == top and label in ("", "after"):
                met &= ratio >= RATE_GOAL
    print(f"Goal at {top} connections: p95 < {P95_GOAL_MS} ms, no error, mixed ≥ "
          f"{RATE_GOAL:.0%} of the bare view: " + ("met" if met else "NOT met"))
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
