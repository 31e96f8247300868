"""Report-card downloads benchmark: a stored report card served to many different logged-in
parents, in requests per second, against the same parents' Détails page in the same run.

    createdb -h 127.0.0.1 -U postgres portail_bench_home
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portail_bench_home \\
    .venv/bin/python bench/downloads.py

On bench/home.py's data (made if missing: 200 parents with 3 children, each child with a
report card published 10 days ago), it stores a real report card (the two-page one of
bench/report_cards.py, rendered once) as each first child's file in the private storage
in use (the local disk here: MEDIA_ROOT), then serves the portal as home.py does (gunicorn,
2 sync workers, DEBUG off) and loads, with wrk, each request as the next parent: a bare
view, the Détails page, and **Télécharger** and **Imprimer** of the parent's own child's
report card (the whole PDF read by wrk). Every request goes through the access check
(documents.selectors.report_card_file_for_parent). Goal (issue 12): the download at 50 %
or more of the Détails page's rate. Then the queries of a download, for 20 parents.
Needs wrk.
"""

import argparse
import http.client
import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
sys.path.insert(0, str(BASE_DIR))

GOAL = 0.5

import family  # noqa: E402 (bench/family.py: setup, the page checks)
import home  # noqa: E402 (bench/home.py: the data, sessions, the server, wrk per parent)
import report_cards  # noqa: E402 (bench/report_cards.py: the realistic report card)


def store_report_cards(pairs: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], bytes]:
    """A real PDF as the file of each parent's first child's report card (written once);
    each parent's (session cookie, download path without its last part)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from documents import rendering
    from documents.models import ReportCardFile

    pdf = rendering.report_card_pdf(report_cards.realistic_document())
    storage = storages["private"]
    targets = []
    for cookie, child in pairs:
        stored = ReportCardFile.objects.select_related("card").get(
            card__student__public_id=child)
        if not storage.exists(stored.file.name) or stored.size != len(pdf):
            storage.delete(stored.file.name)
            storage.save(stored.file.name, ContentFile(pdf))
            ReportCardFile.objects.filter(pk=stored.pk).update(size=len(pdf))
        targets.append((cookie, f"/famille/{child}/documents/bulletins/{stored.card.public_id}"))
    return targets, pdf


def check_download(port: int, path: str, cookie: str, pdf: bytes) -> None:
    """The parent gets the whole file, named, and no cache keeps it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    body = response.read()
    if (response.status != 200 or body != pdf
            or response.getheader("Cache-Control") != "private, no-store"
            or ".pdf" not in response.getheader("Content-Disposition", "")):
        sys.exit(f"{path}: HTTP {response.status}, {len(body)} bytes, not the stored PDF")


def query_counts(pairs: list[tuple[str, str]], targets: list[tuple[str, str]]) -> set[int]:
    """Queries of a download, for 20 parents (a set: one number if constant)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    counts = set()
    for (_cookie, child), (_same, path) in zip(pairs[:20], targets[:20], strict=True):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(guardian__student_links__student__public_id=child))
        client.get(f"{path}/telecharger/")  # the session settles
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{path}/telecharger/")
            assert response.status_code == 200
            b"".join(response.streaming_content)
        counts.add(len(queries.captured_queries))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    family.setup_django()
    pairs = home.build(args.parents)
    targets, pdf = store_report_cards(pairs)
    counts = query_counts(pairs, targets)
    from family_wsgi import BARE_PATH

    var = BASE_DIR / "var"
    load_start = os.getloadavg()[0]
    port, server = home.start_server(var / "bench-downloads-gunicorn.log")
    try:
        cookie, path = targets[0]
        check_download(port, f"{path}/telecharger/", cookie, pdf)
        family.check_page(port, f"/famille/{pairs[0][1]}/", cookie, pairs[0][1])
        pages = {
            "bare view (reference)": [(f"/{BARE_PATH}", c) for c, _child in pairs],
            "Détails (Démographie)": [(f"/famille/{child}/", c) for c, child in pairs],
            "Télécharger (PDF)": [(f"{path}/telecharger/", c) for c, path in targets],
            "Imprimer (PDF inline)": [(f"{path}/imprimer/", c) for c, path in targets],
        }
        rates = home.median_rates(port, pages, var / "bench-downloads", rounds=args.rounds,
                                  seconds=args.seconds, connections=args.connections)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"gunicorn 2 sync workers, private storage on the local disk; wrk 1 thread × "
          f"{args.connections} connections, median of {args.rounds} rounds of {args.seconds} s, "
          f"each request as the next of {len(pairs)} parents; a {len(pdf) / 1024:.0f} KB PDF; "
          f"{os.cpu_count()} CPUs, load average {load_start:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end:")
    details = rates["Détails (Démographie)"]
    for name, rate in rates.items():
        print(f"  {name:<24} {rate:>8.1f} req/s  {rate / details:>6.1%} of Détails")
    ratio = rates["Télécharger (PDF)"] / details
    print(f"  download / Détails: {ratio:.0%} (goal ≥ {GOAL:.0%})"
          + ("  goal met" if ratio >= GOAL else "  BELOW the goal")
          + f"; queries per download for 20 parents: {sorted(counts)}")
    sys.exit(0 if ratio >= GOAL else 1)


if __name__ == "__main__":
    main()
