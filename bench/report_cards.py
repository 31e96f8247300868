"""Report-card PDF benchmark: tagged report cards per second per core, against naive
WeasyPrint rendering of the same template in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portail_bench_documents \\
    .venv/bin/python bench/report_cards.py [--cards 40] [--rounds 3]

The card is realistic: the elementary provincial report card, twelve subjects each with a
comment of three to five lines, the seven learning skills, attendance totals; two pages
(checked). Its data is written in a transaction that is rolled back: any database works.

- **ours**: documents.rendering as the pdf worker runs it: the bundled Liberation Sans,
  one FontConfiguration and one parsed stylesheet per process, `table-layout: fixed` with
  set column widths, PDF/UA-1.
- **naive**: the same HTML, the same stylesheet without its @font-face (the system's
  default font) and with `table-layout: auto`, parsed for each card with a new
  FontConfiguration, still PDF/UA-1.

The two alternate in rounds (so that the machine's load weighs on both alike); the rate
is cards per CPU-second of this process (rendering is single-threaded: per core), with the
wall-clock rate beside it. Goal (issue 12): ours >= 15 cards/s/core and >= 2.5 x naive.
"""

import argparse
import io
import os
import re
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
GOAL_RATE, GOAL_RATIO = 15.0, 2.5


def setup_django() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portail.settings")
    import django

    django.setup()


def realistic_document() -> dict:
    """The document of a two-page report card, from rows rolled back afterwards."""
    import datetime

    from django.core.management import call_command
    from django.db import transaction

    from demo.report_cards import demo_report_card
    from documents import selectors
    from documents.models import ReportingPeriod
    from students.models import Level, School, SchoolYear, Student

    call_command("migrate", "--noinput", verbosity=0)
    with transaction.atomic():
        school = School.objects.create(
            ministry_number="999998", code="BENCH1", name="École élémentaire publique Banc",
            level=Level.ELEMENTARY, street="2445, boulevard Saint-Laurent", city="Ottawa",
            postal_code="K1G 6C3", phone="6137428960", principal_name="Mme Josée Lalonde")
        year, _created = SchoolYear.objects.get_or_create(
            name="2026-2027", defaults={"start_date": datetime.date(2026, 9, 2),
                                        "end_date": datetime.date(2027, 6, 25)})
        student = Student.objects.create(
            niso="999999998", legal_first_name="Léa", legal_last_name="Tremblay-Bélanger",
            date_of_birth=datetime.date(2015, 3, 14), gender="F", school=school, grade=6,
            city="Orléans", postal_code="K1C 2N4")
        period = ReportingPeriod.objects.create(
            school=school, school_year=year, kind=ReportingPeriod.Kind.ELEMENTARY_PROVINCIAL,
            name="Bulletin de février", start_date=year.start_date,
            end_date=datetime.date(2027, 1, 29), publication_date=datetime.date(2027, 2, 15))
        card = demo_report_card(period, student, lines=12, comment_sentences=5)
        card.days_absent, card.times_late = 4, 2
        card.save()
        document = selectors.report_card_document(selectors.report_card_for_rendering(card.pk))
        transaction.set_rollback(True)
    return document


def naive_renderer(html: str):
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from documents import rendering

    source = rendering.STYLESHEET.read_text()
    source = re.sub(r"@font-face\s*{[^}]*}", "", source)
    source = source.replace('font-family: "Portail Bulletin";', "")
    source = source.replace("table-layout: fixed", "table-layout: auto")
    assert "Portail Bulletin" not in source and "table-layout: fixed" not in source

    def render() -> bytes:
        fonts = FontConfiguration()
        return HTML(string=html).write_pdf(
            stylesheets=[CSS(string=source, font_config=fonts)], font_config=fonts,
            pdf_variant=rendering.PDF_VARIANT)

    return render


def measure(render, cards: int) -> tuple[float, float]:
    """(cards per CPU-second, cards per wall-second)."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _card in range(cards):
        render()
    return cards / (time.process_time() - cpu), cards / (time.perf_counter() - wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=40, help="cards per round and renderer")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    import logging

    import weasyprint
    from pypdf import PdfReader

    from documents import rendering

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = realistic_document()
    html = rendering.report_card_html(document)

    def ours() -> bytes:
        return rendering.html_to_pdf(html)

    naive = naive_renderer(html)
    pages = len(PdfReader(io.BytesIO(ours())).pages)
    naive_pages = len(PdfReader(io.BytesIO(naive())).pages)
    for _warm in range(3):
        ours(), naive()

    load_start = os.getloadavg()[0]
    results = {"ours": [], "naive": []}
    for _round in range(args.rounds):
        results["naive"].append(measure(naive, args.cards))
        results["ours"].append(measure(ours, args.cards))
    load_end = os.getloadavg()[0]

    cpu = {name: statistics.median(rate for rate, _wall in runs)
           for name, runs in results.items()}
    wall = {name: statistics.median(rate for _rate, rate in runs)
            for name, runs in results.items()}
    ratio = cpu["ours"] / cpu["naive"]
    print(f"Report-card PDFs: WeasyPrint {weasyprint.__version__}, {pages} pages "
          f"({naive_pages} naive), 12 subjects, PDF/UA-1; {args.rounds} rounds of "
          f"{args.cards} cards each; {os.cpu_count()} CPUs, load average {load_start:.1f} "
          f"at the start, {load_end:.1f} at the end")
    for name in ("naive", "ours"):
        per_round = ", ".join(f"{rate:.1f}" for rate, _wall in results[name])
        print(f"  {name:5}  {cpu[name]:6.1f} cards/s/core  ({1000 / cpu[name]:5.1f} ms CPU "
              f"a card; wall {wall[name]:.1f}/s; rounds {per_round})")
    print(f"  ratio ours / naive: {ratio:.2f} x  (goal >= {GOAL_RATIO} x); "
          f"ours {'meets' if cpu['ours'] >= GOAL_RATE else 'misses'} the "
          f">= {GOAL_RATE:.0f} cards/s/core goal")
    if pages != 2:
        sys.exit(f"the realistic report card should have 2 pages, it has {pages}")


if __name__ == "__main__":
    main()
