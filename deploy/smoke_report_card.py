"""deploy/smoke-test's report card, run in web's container (`manage.py shell -c`).

A school, a student and a complete report card (the demo's), published as staff do; then it
waits, 90 s at most, for the `pdf` worker to render it, reads the stored PDF back as the
image's user and prints where it lies under MEDIA_ROOT, for the script to check its mode
in the media volume. Exits non-zero, saying why, when any of it fails. The data is made
up: the smoke test's database is dropped at the end.
"""

import datetime
import os
import time
from pathlib import Path

from django.conf import settings

from demo.report_cards import demo_report_card
from documents import services
from documents.models import ReportCard, ReportCardFile, ReportingPeriod
from students.models import Level, School, SchoolYear, Student

school = School.objects.create(ministry_number="999901", code="SMOKE", level=Level.ELEMENTARY,
                               name="École élémentaire publique de la Fumée")
year, _created = SchoolYear.objects.get_or_create(name="2026-2027", defaults={
    "start_date": datetime.date(2026, 9, 2), "end_date": datetime.date(2027, 6, 25)})
student = Student.objects.create(
    niso="999999999", legal_first_name="Léa", legal_last_name="Tremblay",
    date_of_birth=datetime.date(2015, 3, 14), gender=Student.Gender.FEMALE, school=school,
    grade=6)
period = ReportingPeriod.objects.create(
    school=school, school_year=year, kind=ReportingPeriod.Kind.ELEMENTARY_PROVINCIAL,
    name="Bulletin de février", start_date=year.start_date,
    end_date=datetime.date(2027, 1, 29), publication_date=datetime.date(2027, 2, 15))
card = demo_report_card(period, student)
published = services.period_publish(period=period)
if published.queued != 1:
    raise SystemExit(f"smoke: period_publish queued {published.queued} report cards, not 1")
print(f"smoke: report card {card.pk} published, on the pdf queue")

started = time.monotonic()
while (stored := ReportCardFile.objects.filter(card=card).first()) is None:
    card.refresh_from_db()
    if card.status == ReportCard.Status.FAILED:
        raise SystemExit(f"smoke: the report card failed to render: {card.status_reason}")
    if time.monotonic() - started > 90:
        raise SystemExit(f"smoke: no PDF after 90 s (the report card is {card.status})")
    time.sleep(1)

with stored.file.open("rb") as pdf:
    head = pdf.read(5)
if head != b"%PDF-":
    raise SystemExit(f"smoke: the stored file starts with {head!r}, not %PDF-")
print(f"smoke: ok: rendered in {time.monotonic() - started:.0f} s; {stored.size} bytes "
      f"read back as uid {os.getuid()}, a PDF")
print(f"smoke: stored at {Path(stored.file.path).relative_to(settings.MEDIA_ROOT)}")
