"""CPU per request of the heaviest child tabs on a child's first visit, in process.

On report-card evening most visits are a child's first: the Emploi du temps grid and the
Relevé pages' content are not cached yet. This takes report_card_day's data, parents and
plan (its `prepare`: the same database), keeps each page once, retires the timetable cache,
warms 30 pages of each kind (and the sessions), then requests N more of each kind,
interleaved, each page once, and prints each kind's mean and median CPU time
(time.process_time: Django's test client, DEBUG off, Redis cache and sessions). Détails,
which these tabs' changes leave alone, is the control. Run it from each worktree in turn
(the code before and after), alternating, on the same database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portail_tabs \
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/tabs_first_visit.py 150
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path.cwd()
sys.path[:0] = [str(BASE_DIR / "bench"), str(BASE_DIR)]
import report_card_day as day  # noqa: E402

KINDS = ("Assiduité", "Emploi du temps", "Exigences du diplôme", "Relevé de notes",
         "Détails")
WARM_KINDS = ("Famille", "Adresse", "Contacts", "Photo", "Adhésion")


def main(count: int) -> None:
    day.setup(type("Options", (), {})())
    rng = random.Random(16)
    rows = day.plan(day.prepare(20000, 1000, rng), 40000, rng)

    from django.conf import settings
    from django.test import Client

    from students import timetable_cache

    client = Client(HTTP_HOST="127.0.0.1")

    def cpu(path: str, cookie: str) -> float:
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie.split("=", 1)[1]
        start = time.process_time()
        response = client.get(path)
        spent = time.process_time() - start
        assert response.status_code == 200, (path, response.status_code)
        return spent

    seen: set[str] = set()
    pages = {kind: [(path, cookie) for k, path, cookie in rows
                    if k == kind and not (path in seen or seen.add(path))] for kind in KINDS}
    timetable_cache.retire()
    for kind in KINDS:
        for page in pages[kind][:30]:
            cpu(*page)
    for _kind, path, cookie in [row for row in rows[:600] if row[0] in WARM_KINDS]:
        cpu(path, cookie)
    spent: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for i in range(30, 30 + count):
        for kind in KINDS:
            if i < len(pages[kind]):
                spent[kind].append(cpu(*pages[kind][i]))
    print(f"{BASE_DIR.name}: load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for kind, values in spent.items():
        print(f"  {kind:22} n={len(values):4} mean {statistics.mean(values) * 1000:6.2f} ms"
              f"  median {statistics.median(values) * 1000:6.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 150)
