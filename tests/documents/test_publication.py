"""Publishing a period: rendered on the pdf queue by a real worker, once; one email per
family through the parents' notifications, when the day comes; missing marks publish
nothing for those students; a correction adds a version."""

import datetime
import time

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from documents import publishing, selectors, services
from documents.models import ReportCard, ReportCardFile, ReportingPeriod
from documents.tasks import notify_due_report_cards
from notifications.events import deliveries_send
from notifications.models import Category, Event, Timing
from notifications.subscriptions import subscriptions_save
from notifications.tasks import send_notifications
from outbox.delivery import render_email
from outbox.models import OutboundEmail
from tests import factories
from tests.documents.factories import make_card, make_period
from tests.notifications.group_factories import TORONTO
from tests.pages import french

Kind = ReportingPeriod.Kind
Status = ReportCard.Status


def wait_until(condition, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for the worker")
        time.sleep(0.2)


def periods_for(family, other_family, *, publication_date):
    """Alice's two children (elementary and secondary schools), Bob's child at the
    elementary school: one period per school, published the same day."""
    elementary, secondary = (child.school for child in family.children)
    other_family.children[0].school = elementary
    other_family.children[0].save()
    start = publication_date - datetime.timedelta(days=60)
    periods = [
        make_period(kind=Kind.ELEMENTARY_PROVINCIAL, school=elementary, start_date=start,
                    end_date=publication_date, publication_date=publication_date),
        make_period(kind=Kind.SECONDARY_MIDTERM, school=secondary, name="Bulletin de mi-semestre",
                    start_date=start, end_date=publication_date,
                    publication_date=publication_date),
    ]
    make_card(periods[0], family.children[0], lines=6)
    make_card(periods[0], other_family.children[0], lines=6)
    make_card(periods[1], family.children[1], lines=6)
    return periods


def announced() -> int:
    """The children the worker announced (notifications records one event each)."""
    return Event.objects.filter(category=Category.REPORT_CARD).count()


@pytest.mark.django_db(transaction=True)
def test_publishing_twice_renders_once_and_emails_once_per_family(
        family, other_family, smtp_settings, smtp_sink, pdf_and_email_worker):
    periods = periods_for(family, other_family,
                          publication_date=timezone.localdate() - datetime.timedelta(days=1))

    for period in periods:
        services.period_publish(period=period)
    wait_until(lambda: not ReportCard.objects.exclude(status=Status.RENDERED).exists())
    wait_until(lambda: announced() == 3)
    send_notifications.delay()  # the beat's minute task, on the worker
    messages = smtp_sink.wait_for(2, timeout=60)

    assert ReportCardFile.objects.count() == 3
    assert sorted(m["To"] for m in messages) == sorted([family.user.email,
                                                        other_family.user.email])
    alice = next(m for m in messages if m["To"] == family.user.email)
    body = alice.get_body(("plain",)).get_content()
    assert all(child.first_name in body for child in family.children)  # one email, both
    for child in [*family.children, *other_family.children]:
        assert child.niso not in body and child.legal_last_name not in body
        assert child.legal_last_name not in alice["Subject"]

    # Again, nothing changed: no new rendering, no new email.
    for period in periods:
        services.period_publish(period=period)
    wait_until(lambda: not ReportCard.objects.exclude(status=Status.RENDERED).exists())
    send_notifications.delay()
    time.sleep(2)
    assert ReportCardFile.objects.count() == 3
    assert announced() == 3
    assert OutboundEmail.objects.count() == 2
    assert len(smtp_sink.messages) == 2

    # A correction: only that card renders again; parents see the new version.
    line = family.children[0].report_cards.get().lines.first()
    line.comment = "Commentaire corrigé."
    line.save()
    services.period_publish(period=periods[0])
    wait_until(lambda: ReportCardFile.objects.count() == 4)
    wait_until(lambda: not ReportCard.objects.exclude(status=Status.RENDERED).exists())
    [corrected] = selectors.report_card_entries(family.children[0])
    assert corrected.version == 2 and corrected.is_correction
    assert ReportCardFile.objects.filter(card=corrected.card, version=1).exists()  # for staff
    send_notifications.delay()
    time.sleep(2)
    assert len(smtp_sink.messages) == 2


@pytest.mark.django_db
def test_published_ahead_the_email_leaves_within_five_minutes_of_the_day(
        family, other_family, in_process_celery, django_capture_on_commit_callbacks):
    day = datetime.date(2027, 2, 15)
    with time_machine.travel(datetime.datetime(2027, 2, 12, 14, tzinfo=TORONTO),
                             tick=False) as clock:
        periods = periods_for(family, other_family, publication_date=day)
        with django_capture_on_commit_callbacks(execute=True):
            for period in periods:
                services.period_publish(period=period)
        assert not ReportCard.objects.exclude(status=Status.RENDERED).exists()
        assert announced() == 0 and deliveries_send() == 0  # not visible yet: not told

        # The hourly task's first run of the day (as beat schedules it), then the minute
        # task's (send_notifications, every minute): within 5 minutes of midnight.
        schedule = settings.CELERY_BEAT_SCHEDULE["notify-report-cards"]
        assert schedule["task"] == notify_due_report_cards.name
        first_run = min(schedule["schedule"].minute)
        assert first_run + 1 <= 5
        clock.move_to(datetime.datetime(2027, 2, 15, 0, first_run, tzinfo=TORONTO))
        assert notify_due_report_cards() == 3
        clock.shift(datetime.timedelta(minutes=1))
        assert deliveries_send() == 2
        assert sorted(OutboundEmail.objects.values_list("recipient", flat=True)) == sorted(
            [family.user.email, other_family.user.email])
        assert selectors.report_card_entries(family.children[0])

        clock.shift(datetime.timedelta(hours=1))  # the next hour's run tells nobody again
        notify_due_report_cards()
        assert deliveries_send() == 0 and OutboundEmail.objects.count() == 2


@pytest.mark.django_db
def test_report_card_emails_follow_the_parents_choices(
        family, in_process_celery, django_capture_on_commit_callbacks):
    first, second = family.children
    subscriptions_save(user=family.user, student=first,
                       timings={Category.REPORT_CARD: Timing.OFF})
    period = make_period(school=second.school, publication_date=timezone.localdate())
    make_card(period, first)
    make_card(period, second)

    with django_capture_on_commit_callbacks(execute=True):
        services.period_publish(period=period)

    assert deliveries_send() == 1
    body = render_email(OutboundEmail.objects.get()).body
    assert second.first_name in body and first.first_name not in body


@pytest.mark.django_db
def test_missing_marks_publish_nothing_for_those_students(
        in_process_celery, django_capture_on_commit_callbacks):
    period = make_period(publication_date=timezone.localdate())
    complete = make_card(period)
    incomplete = make_card(period, complete=False)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.period_publish(period=period)

    assert (result.queued, result.up_to_date, result.incomplete) == (1, 0, 1)
    incomplete.refresh_from_db()
    assert incomplete.status == Status.INCOMPLETE
    assert incomplete.lines.last().subject in incomplete.status_reason
    assert not incomplete.files.exists()
    assert complete.files.count() == 1
    progress = selectors.publication_progress(period)
    assert (progress.rendered, progress.remaining, progress.incomplete) == (1, 0, [incomplete])


@pytest.mark.django_db
def test_attendance_totals_are_counted_for_the_period(
        in_process_celery, django_capture_on_commit_callbacks):
    period = make_period(publication_date=timezone.localdate())
    card = make_card(period)
    absent = factories.AttendanceCodeFactory()
    late = factories.AttendanceCodeFactory(code="RET", label_fr="Retard", label_en="Late",
                                           kind="late")
    for day in (5, 6):
        factories.AttendanceRecordFactory(student=card.student,
                                          date=datetime.date(2026, 10, day), code=absent)
    factories.AttendanceRecordFactory(student=card.student, date=datetime.date(2026, 10, 7),
                                      code=late)
    # After the period: not counted.
    factories.AttendanceRecordFactory(student=card.student, date=datetime.date(2027, 3, 1),
                                      code=absent)

    with django_capture_on_commit_callbacks(execute=True):
        services.period_publish(period=period)

    card.refresh_from_db()
    assert (card.days_absent, card.times_late) == (2, 1)


@pytest.mark.django_db
def test_a_failed_rendering_keeps_its_reason(in_process_celery, monkeypatch,
                                             django_capture_on_commit_callbacks):
    period = make_period(publication_date=timezone.localdate())
    card = make_card(period)

    def broken(document, **kwargs):
        raise ValueError("gabarit illisible")

    monkeypatch.setattr(publishing.rendering, "report_card_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.period_publish(period=period)

    card.refresh_from_db()
    assert card.status == Status.FAILED and "gabarit illisible" in card.status_reason
    assert selectors.publication_progress(period).failed == [card]


@pytest.mark.django_db
def test_a_card_without_its_learning_skills_is_not_published(
        in_process_celery, django_capture_on_commit_callbacks):
    period = make_period(publication_date=timezone.localdate())
    unrated = make_card(period)
    unrated.skills.all().delete()
    one_missing = make_card(period)
    one_missing.skills.get(skill__code="autonomie").delete()
    kindergarten = make_period(kind=Kind.KINDERGARTEN, school=period.school,
                               name="Communication de février",
                               publication_date=timezone.localdate())
    no_skills_to_rate = make_card(kindergarten)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.period_publish(period=period)
        services.period_publish(period=kindergarten)

    assert (result.queued, result.incomplete) == (0, 2)
    for card in (unrated, one_missing):
        card.refresh_from_db()
        assert card.status == Status.INCOMPLETE and not card.files.exists()
    assert unrated.status_reason == french("Missing: %(what)s") % {
        "what": french("the learning skills")}
    assert one_missing.status_reason == french("Missing: %(what)s") % {
        "what": french("the learning skill %(skill)s") % {"skill": "Autonomie"}}
    assert no_skills_to_rate.files.count() == 1


@pytest.mark.django_db
def test_publishing_again_queues_only_the_changed_cards(
        in_process_celery, django_capture_on_commit_callbacks):
    period = make_period(publication_date=timezone.localdate())
    unchanged, corrected = make_card(period), make_card(period)
    with django_capture_on_commit_callbacks(execute=True):
        services.period_publish(period=period)
    line = corrected.lines.first()
    line.comment = "Commentaire corrigé."
    line.save()

    with django_capture_on_commit_callbacks(execute=True):
        result = services.period_publish(period=period)

    assert (result.queued, result.up_to_date, result.incomplete) == (1, 1, 0)
    assert (unchanged.files.count(), corrected.files.count()) == (1, 2)
    assert not period.report_cards.exclude(status=Status.RENDERED).exists()
