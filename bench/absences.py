"""A whole board's morning of absences: 2,000 records saved one by one (as the school's
software or secretaries do), each an event for the parents, then the emails queued.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portail_bench_home \\
    .venv/bin/python bench/absences.py

On the data of bench/home.py (made if missing: 200 parents, 600 children), 2,000 absences
(periods 1 to 4 of 500 children), then `deliveries_send` queues one email per parent in
the outbox. Goal (issue 13): queued in under 10 s; the emails then leave at the outbox's
measured rate (bench/outbox.py). The absences are removed at the end.
"""

import datetime
import sys
import time

import home  # noqa: F401 (bench/home.py: the data)

ABSENCES = 2000
GOAL_SECONDS = 10


def main() -> None:
    import family

    family.setup_django()
    home.build(200)
    from django.db import transaction
    from django.utils import timezone

    from notifications.events import deliveries_send
    from notifications.models import Delivery, EmailBatch, Event
    from outbox.models import OutboundEmail
    from students.models import AttendanceCode, AttendanceRecord, Student

    code, _created = AttendanceCode.objects.get_or_create(
        code="ABS", defaults={"label_fr": "Absence", "label_en": "Absence", "kind": "absent"})
    children = list(Student.objects.filter(legal_last_name__startswith="Banc")
                    .order_by("pk")[:ABSENCES // 4])
    today = timezone.localdate()
    # A worker has its URLs and templates loaded: so does this process before the clock.
    from django.urls import reverse
    reverse("home")
    started = time.perf_counter()
    with transaction.atomic():
        for child in children:
            for period in range(1, 5):
                AttendanceRecord.objects.create(student=child, date=today, period=period,
                                                code=code)
    recorded = time.perf_counter() - started
    started = time.perf_counter()
    queued = deliveries_send(now=timezone.now() + datetime.timedelta(seconds=1))
    sending = time.perf_counter() - started
    total = recorded + sending
    print(f"{len(children) * 4:,} absences of {len(children)} children: recorded with their "
          f"events in {recorded:.2f} s ({Delivery.objects.count():,} deliveries); "
          f"{queued} emails queued in {sending:.2f} s; total {total:.2f} s "
          f"(goal < {GOAL_SECONDS} s)")
    with transaction.atomic():
        AttendanceRecord.objects.filter(date=today, code=code,
                                        student__in=children).delete()
        OutboundEmail.objects.filter(template="notifications/event").delete()
        Delivery.objects.all().delete()
        EmailBatch.objects.all().delete()
        Event.objects.filter(category="attendance").delete()
    sys.exit(0 if total < GOAL_SECONDS else 1)


if __name__ == "__main__":
    main()
