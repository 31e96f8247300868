"""Home page benchmark: the Page d'accueil of many different logged-in parents, each with 3
children in 2 schools (each child with a report card published 10 days ago), 6 groups and
200 announcements in those groups, in requests per second, against the same parents'
Détails page (and a bare view) in the same run.

    createdb -h 127.0.0.1 -U postgres portail_bench_home
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portail_bench_home \\
    .venv/bin/python bench/home.py

It migrates the database it is given and builds its own data once (2 schools, a class,
the parents, their children's report cards, 6 groups, 200 announcements), opens one
session per parent (as a login would, with the server's secret key), then serves the
portal as bench/family.py does (gunicorn, 2 sync workers, DEBUG off) and loads each page
with wrk, every request as the next parent. Goal (issue 13): the home page at 50 % or more
of the Détails page's rate. Needs wrk.
"""

import argparse
import datetime
import os
import secrets
import statistics
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
sys.path.insert(0, str(BASE_DIR))

GOAL = 0.5
ANNOUNCEMENTS = 200
# The server and this script share the secret key: the sessions made here are valid there.
SECRET_KEY = secrets.token_urlsafe(50)
os.environ["SECRET_KEY"] = SECRET_KEY

import family  # noqa: E402 (bench/family.py: the server, wrk and the page checks)
from serving import lua_script, open_sessions  # noqa: E402


def start_server(log: Path):
    """bench/family.py's gunicorn (2 sync workers, DEBUG off), with the secret key of the
    sessions made here; its port and process."""
    server_env = family.server_env
    family.server_env = lambda: {**server_env(), "SECRET_KEY": SECRET_KEY}
    port = family.free_port()
    log.parent.mkdir(exist_ok=True)
    return port, family.start_gunicorn(port, log, 1)


def build(parents: int) -> list[tuple[str, str]]:
    """The data, made once; each parent's (session cookie, first child's public id)."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from notifications.models import Announcement, Group
    from students import models

    call_command("migrate", "--noinput", verbosity=0)
    with transaction.atomic():
        if not Group.objects.exists():
            _data(parents)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    users = list(User.objects.filter(username__startswith="bench.home.").order_by("pk")
                 [:parents])
    cookies = open_sessions(users)
    pairs = []
    for user in users:
        child = models.Student.objects.filter(guardian_links__guardian__user=user).order_by(
            "pk").first()
        pairs.append((cookies[user.pk], str(child.public_id)))
    print(f"Data: {len(pairs)} parents with 3 children each, {Group.objects.count()} groups, "
          f"{Announcement.objects.count()} announcements "
          f"({timezone.localdate():%Y-%m-%d}).")
    return pairs


def _data(parents: int) -> None:
    from django.utils import timezone

    from accounts.models import User
    from documents.models import ReportCard, ReportCardFile, ReportingPeriod
    from notifications.models import Announcement, Group
    from students import models

    def school(number: int, level: str) -> models.School:
        return models.School.objects.create(
            ministry_number=f"99{number:04d}", code=f"B{number:03d}",
            name=f"École de banc d’essai {number}", level=level, street="1, rue Principale",
            city="Ottawa", postal_code="K1G 6C3")

    elementary, secondary = school(1, "elementary"), school(2, "secondary")
    today = timezone.localdate()
    year, _created = models.SchoolYear.objects.get_or_create(
        name=f"{today.year - 1}-{today.year}" if today.month < 9 else
        f"{today.year}-{today.year + 1}",
        defaults={"start_date": today - datetime.timedelta(days=60),
                  "end_date": today + datetime.timedelta(days=200)})
    term = models.Term.objects.create(school=secondary, school_year=year, code="AN",
                                      name="Année", start_date=year.start_date,
                                      end_date=year.end_date)
    course, _created = models.Course.objects.get_or_create(
        code="MTH1W", defaults={"title_fr": "Mathématiques", "title_en": "Mathematics"})
    section = models.Section.objects.create(course=course, school=secondary, term=term,
                                            section_number="01")
    for number in range(parents):
        user = User.objects.create(username=f"bench.home.{number}", email=f"p{number}@ex.com",
                                   first_name="Parent", last_name=f"Banc{number}")
        user.set_unusable_password()
        user.save(update_fields=["password"])
        guardian = models.Guardian.objects.create(
            first_name="Parent", last_name=f"Banc{number}", user=user, street="1, rue A",
            city="Ottawa", postal_code="K1G 6C3")
        for index, (where, grade) in enumerate([(elementary, 4), (elementary, 6),
                                                (secondary, 10)]):
            child = models.Student.objects.create(
                niso=f"999{number:03d}{index:03d}", legal_first_name=f"Enfant{index}",
                legal_last_name=f"Banc{number}", date_of_birth=datetime.date(2014, 1, 1),
                gender="F", school=where, grade=grade, street="1, rue A", city="Ottawa",
                postal_code="K1G 6C3")
            models.StudentGuardian.objects.create(student=child, guardian=guardian,
                                                  relationship="mother", has_custody=True)
            if where == secondary:
                models.SectionEnrolment.objects.create(student=child, section=section)
    groups = [
        Group.objects.create(kind="board", name="Conseil"),
        Group.objects.create(kind="school", school=elementary, name=elementary.name),
        Group.objects.create(kind="school", school=secondary, name=secondary.name),
        Group.objects.create(kind="grade", school=elementary, grade=4, name="4e année"),
        Group.objects.create(kind="grade", school=elementary, grade=6, name="6e année"),
        Group.objects.create(kind="section", school=secondary, section=section,
                             name="Mathématiques"),
    ]
    # Each child's report card published 10 days ago: the home page's recent documents.
    published = today - datetime.timedelta(days=10)
    periods = {where: ReportingPeriod.objects.create(
        school=where, school_year=year, kind=kind, name="Bulletin de banc d’essai",
        start_date=year.start_date, end_date=published, publication_date=published,
        published_at=timezone.now())
        for where, kind in [(elementary, "elementary_provincial"),
                            (secondary, "secondary_midterm")]}
    cards = ReportCard.objects.bulk_create([
        ReportCard(period=periods[child.school], student=child, grade=child.grade,
                   teacher_name="Mme Lavoie", principal_name="M. Roy", status="rendered")
        for child in models.Student.objects.filter(niso__startswith="999")
        .select_related("school")])
    ReportCardFile.objects.bulk_create([
        ReportCardFile(card=card, version=1, file=f"report-cards/{card.public_id}.pdf",
                       size=48_000, fingerprint="0" * 64) for card in cards])
    now = timezone.now()
    for number in range(ANNOUNCEMENTS):
        Announcement.objects.create(
            group=groups[number % len(groups)], title=f"Annonce {number}",
            body=f"Une **annonce** numéro {number}, avec un [lien](https://example.com).",
            publish_at=now - datetime.timedelta(hours=number), pinned=number % 50 == 0)


def wrk_many(port: int, script: Path, *, seconds: int, connections: int) -> float:
    import re
    import subprocess

    result = subprocess.run(  # noqa: S603
        ["wrk", "--threads", "1", "--connections", str(connections),  # noqa: S607
         "--duration", f"{seconds}s", "--script", str(script), f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, check=True)
    if "Non-2xx" in result.stdout:
        sys.exit(f"{script.name}: wrk got errors:\n{result.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))


def median_rates(port: int, pages: dict[str, list[tuple[str, str]]], stem: Path, *,
                 rounds: int, seconds: int, connections: int) -> dict[str, float]:
    """Each page's median rate over rounds that alternate the pages (after a warm-up of
    each), so that the shared machine's load weighs on every page alike. `pages`: each
    page's (path, Cookie header) requests, sent in turn."""
    scripts = {name: lua_script(stem.with_name(f"{stem.name}-{index}.lua"), requests)
               for index, (name, requests) in enumerate(pages.items())}
    for script in scripts.values():
        wrk_many(port, script, seconds=2, connections=connections)
    samples: dict[str, list[float]] = {name: [] for name in pages}
    for _round in range(rounds):
        for name, script in scripts.items():
            samples[name].append(wrk_many(port, script, seconds=seconds,
                                          connections=connections))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    family.setup_django()
    pairs = build(args.parents)
    from family_wsgi import BARE_PATH

    var = BASE_DIR / "var"
    port, server = start_server(var / "bench-home-gunicorn.log")
    try:
        cookie, child = pairs[0]
        family.check_page(port, "/", cookie, "Annonce 0")
        family.check_page(port, "/", cookie, "Bulletin de banc d’essai")
        family.check_page(port, f"/famille/{child}/", cookie, child)
        pages = {
            "bare view (reference)": [(f"/{BARE_PATH}", c) for c, _child in pairs],
            "Détails (Démographie)": [(f"/famille/{child}/", c) for c, child in pairs],
            "Page d'accueil": [("/", c) for c, _child in pairs],
        }
        rates = median_rates(port, pages, var / "bench-home", rounds=args.rounds,
                             seconds=args.seconds, connections=args.connections)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"gunicorn 2 sync workers; wrk 1 thread × {args.connections} connections, median "
          f"of {args.rounds} rounds of {args.seconds} s, each request as the next of "
          f"{len(pairs)} parents:")
    for name, rate in rates.items():
        print(f"  {name:<24} {rate:>8.1f} req/s  {rate / rates['bare view (reference)']:>6.1%}"
              " of the bare view")
    ratio = rates["Page d'accueil"] / rates["Détails (Démographie)"]
    print(f"  home / Détails: {ratio:.0%} (goal ≥ {GOAL:.0%})"
          + ("  goal met" if ratio >= GOAL else "  BELOW the goal"))
    sys.exit(0 if ratio >= GOAL else 1)


if __name__ == "__main__":
    main()
