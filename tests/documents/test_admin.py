"""The documents admin: a school's staff publish and follow their own periods only,
preview a report card before publishing, and keep every rendered version."""

import datetime
import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEvent
from documents import publishing, selectors, services
from documents.models import ReportCard, ReportCardFile, ReportingPeriod
from tests import factories
from tests.documents.factories import make_card, make_period
from tests.pages import french, french_plural, html_of
from tests.staff import HELP_DESK, make_staff, staff_login

pytestmark = pytest.mark.django_db


def publish_form(*periods, confirmed: bool = True) -> dict:
    """The action on these periods, as its confirmation page posts it (or the list)."""
    return {"action": "publish_periods", ACTION_CHECKBOX_NAME: [period.pk for period in periods],
            **({"post": "yes"} if confirmed else {})}


@pytest.fixture
def periods(family):
    """A period at the secretary's school (one card complete, one missing marks), and one
    at another school."""
    mine = make_period(school=family.children[0].school, publication_date=timezone.localdate())
    make_card(mine, family.children[0])
    incomplete = make_card(mine, complete=False)
    theirs = make_period(school=factories.SchoolFactory(), name="Bulletin ailleurs")
    other_card = make_card(theirs)
    return mine, theirs, incomplete, other_card


def test_publish_action_queues_complete_cards_and_lists_the_missing_marks(
        secretary_client, periods, in_process_celery, django_capture_on_commit_callbacks):
    mine, _theirs, incomplete, _other = periods
    with django_capture_on_commit_callbacks(execute=True):
        response = secretary_client.post(
            reverse("admin:documents_reportingperiod_changelist"),
            publish_form(mine), follow=True)
    assert response.status_code == 200
    assert ReportCardFile.objects.filter(card__period=mine).count() == 1
    summary = "{} {} {}.".format(
        french_plural("%(count)s report card queued for rendering",
                      "%(count)s report cards queued for rendering", 1) % {"count": 1},
        french("and"),
        french_plural("%(count)s report card left out for missing marks or learning skills",
                      "%(count)s report cards left out for missing marks or learning skills",
                      1)
        % {"count": 1})
    assert summary in html_of(response)
    event = AuditEvent.objects.get(action="report_cards_publish")
    assert (event.object_id, event.reason) == (str(mine.pk), summary)

    progress = secretary_client.get(reverse("admin:documents_reportingperiod_progress",
                                            args=[mine.pk]))
    body = progress.content.decode()
    assert progress.status_code == 200
    assert "1 / 2" in body
    assert incomplete.student.legal_last_name in body
    assert incomplete.lines.last().subject in body


def test_another_schools_period_and_cards_are_404s(secretary_client, periods):
    _mine, theirs, _incomplete, other_card = periods
    for url in [reverse("admin:documents_reportingperiod_change", args=[theirs.pk]),
                reverse("admin:documents_reportingperiod_progress", args=[theirs.pk]),
                reverse("admin:documents_reportcard_change", args=[other_card.pk]),
                reverse("admin:documents_reportcard_preview", args=[other_card.pk]),
                reverse("admin:documents_reportcard_file", args=[other_card.pk, 1])]:
        assert secretary_client.get(url).status_code == 404, url
    listing = secretary_client.get(reverse("admin:documents_reportingperiod_changelist"))
    assert theirs.name not in listing.content.decode()


def test_publishing_another_schools_period_through_the_action_does_nothing(
        secretary_client, periods):
    _mine, theirs, _incomplete, other_card = periods
    secretary_client.post(reverse("admin:documents_reportingperiod_changelist"),
                          publish_form(theirs))
    theirs.refresh_from_db()
    other_card.refresh_from_db()
    assert theirs.published_at is None and other_card.status == ReportCard.Status.DRAFT


def test_preview_renders_one_students_pdf_and_keeps_nothing(secretary_client, periods):
    mine, _theirs, _incomplete, _other = periods
    card = mine.report_cards.filter(status=ReportCard.Status.DRAFT).first()
    response = secretary_client.get(reverse("admin:documents_reportcard_preview",
                                            args=[card.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert not ReportCardFile.objects.exists()
    mine.refresh_from_db()
    assert mine.published_at is None


def test_staff_keep_the_earlier_version_of_a_corrected_card(secretary_client, periods):
    mine, _theirs, _incomplete, _other = periods
    card = mine.report_cards.exclude(lines__comment="").first()
    for comment in ("Premier commentaire.", "Commentaire corrigé."):
        line = card.lines.first()
        line.comment = comment
        line.save()
        services.period_publish(period=mine)
        publishing.report_card_render(card_id=card.pk)
    name = selectors.report_card_filename(card)
    names = {1: name.replace(".pdf", " (version 1).pdf"), 2: name}  # the latest: parents'
    for version in (1, 2):
        response = secretary_client.get(reverse("admin:documents_reportcard_file",
                                                args=[card.pk, version]))
        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            f"attachment; filename*=utf-8''{quote(names[version])}")


def test_a_card_s_files_show_their_size_as_people_read_it(secretary_client, periods):
    mine, _theirs, incomplete, _other = periods
    card = _published(mine, mine.report_cards.exclude(pk=incomplete.pk).get())
    stored = ReportCardFile.objects.get(card=card)
    page = html_of(secretary_client.get(
        reverse("admin:documents_reportcard_change", args=[card.pk])))
    assert f"{stored.size / 1024:.1f}\xa0Kio".replace(".", ",") in page
    assert not re.search(rf">\s*{stored.size}\s*<", page)  # the bytes, as a cell's text


def _published(period, card) -> ReportCard:
    services.period_publish(period=period)
    publishing.report_card_render(card_id=card.pk)
    assert card.files.exists()
    return card


def test_a_published_card_cannot_be_deleted_from_its_page_nor_in_bulk(secretary_client,
                                                                      periods):
    mine, _theirs, incomplete, _other = periods
    card = _published(mine, mine.report_cards.exclude(pk=incomplete.pk).get())
    change = secretary_client.get(reverse("admin:documents_reportcard_change", args=[card.pk]))
    delete_url = reverse("admin:documents_reportcard_delete", args=[card.pk])
    assert delete_url not in change.content.decode()
    assert secretary_client.post(delete_url, {"post": "yes"}).status_code == 403

    secretary_client.post(reverse("admin:documents_reportcard_changelist"),
                          {"action": "delete_selected", "post": "yes",
                           ACTION_CHECKBOX_NAME: [card.pk, incomplete.pk]})
    # Nor through its period: the period's deletion would take its cards along.
    secretary_client.post(reverse("admin:documents_reportingperiod_delete", args=[mine.pk]),
                          {"post": "yes"})
    assert ReportCard.objects.filter(pk__in=[card.pk, incomplete.pk]).count() == 2
    assert card.files.count() == 1


def test_a_card_never_published_may_still_be_deleted(secretary_client, periods):
    _mine, _theirs, incomplete, _other = periods
    response = secretary_client.post(
        reverse("admin:documents_reportcard_delete", args=[incomplete.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not ReportCard.objects.filter(pk=incomplete.pk).exists()


def test_publishing_again_unchanged_says_the_cards_are_up_to_date(
        secretary_client, periods, in_process_celery, django_capture_on_commit_callbacks):
    mine, _theirs, incomplete, _other = periods
    incomplete.delete()
    publish = publish_form(mine)
    changelist = reverse("admin:documents_reportingperiod_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        secretary_client.post(changelist, publish, follow=True)  # its message read
    with django_capture_on_commit_callbacks(execute=True):
        response = secretary_client.post(changelist, publish, follow=True)

    page = html_of(response)
    up_to_date = french_plural("%(count)s report card already up to date",
                               "%(count)s report cards already up to date", 1) % {"count": 1}
    assert french("%(period)s: %(summary)s") % {"period": mine, "summary": f"{up_to_date}."} \
        in page
    assert french_plural("%(count)s report card queued for rendering",
                         "%(count)s report cards queued for rendering", 1) % {
        "count": 1} not in page
    assert ReportCardFile.objects.filter(card__period=mine).count() == 1


def test_a_published_card_edited_since_says_parents_see_the_published_version(
        secretary_client, periods):
    mine, _theirs, incomplete, _other = periods
    card = _published(mine, mine.report_cards.exclude(pk=incomplete.pk).get())
    url = reverse("admin:documents_reportcard_change", args=[card.pk])
    note = french("%(status)s, changed since publication: parents see the published version "
                  "(version %(version)s) until the period is published again.") % {
        "status": french("Rendered"), "version": 1}
    assert note not in html_of(secretary_client.get(url))
    secretary_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # compared in French
    assert "changed since publication" not in html_of(secretary_client.get(url))
    secretary_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    line = card.lines.first()
    line.comment = "Commentaire modifié après la publication."
    line.save()
    assert note in html_of(secretary_client.get(url))


def test_publishing_says_which_active_students_of_its_grades_have_no_card(
        secretary_client, periods, in_process_celery, django_capture_on_commit_callbacks):
    mine, _theirs, _incomplete, _other = periods
    forgotten = factories.StudentFactory(school=mine.school, grade=4)
    left_out = [factories.StudentFactory(school=mine.school, grade=4, status="withdrawn"),
                factories.StudentFactory(school=mine.school, grade=0)]  # another report's
    with django_capture_on_commit_callbacks(execute=True):
        response = secretary_client.post(
            reverse("admin:documents_reportingperiod_changelist"),
            publish_form(mine), follow=True)

    assert french_plural(
        "%(count)s active student of the grades this report is for has no report card.",
        "%(count)s active students of the grades this report is for have no report card.",
        1) % {"count": 1} in html_of(response)
    progress = html_of(secretary_client.get(
        reverse("admin:documents_reportingperiod_progress", args=[mine.pk])))
    assert french("Active students without a report card") in progress
    assert reverse("admin:students_student_change", args=[forgotten.pk]) in progress
    for student in left_out:
        assert reverse("admin:students_student_change", args=[student.pk]) not in progress


def test_publishing_asks_first_what_it_will_do_and_when_parents_see_it(
        secretary_client, periods):
    mine, theirs, incomplete, _other = periods
    mine.publication_date = datetime.date(2027, 2, 5)
    mine.save(update_fields=["publication_date"])
    forgotten = factories.StudentFactory(school=mine.school, grade=4)
    changelist = reverse("admin:documents_reportingperiod_changelist")
    response = secretary_client.post(changelist, publish_form(mine, theirs, confirmed=False))

    page = html_of(response)
    assert french("Publish these periods?") in page
    assert str(mine) in page and str(mine.school) in page
    assert str(theirs) not in page  # another school's: not the secretary's to publish
    with translation.override("fr"):
        assert french("Parents will see these report cards from %(date)s.") % {
            "date": "5 février 2027"} in page
        assert f"{incomplete.student}</a> — " + selectors.missing_reason(
            selectors.missing_marks(incomplete)) in page
    assert reverse("admin:students_student_change", args=[forgotten.pk]) in page
    ready = re.search(r"{}</th><td>(\d+)</td>".format(
        re.escape(french("Report cards to publish"))), page)
    assert ready and ready.group(1) == "1"
    # The page confirms this period only, and cancels back to the list.
    assert re.findall(rf'name="{ACTION_CHECKBOX_NAME}" value="(\d+)"', page) == [str(mine.pk)]
    assert f'href="{changelist}" class="button cancel-link"' in page
    mine.refresh_from_db()
    assert mine.published_at is None
    assert set(mine.report_cards.values_list("status", flat=True)) == {ReportCard.Status.DRAFT}
    assert not AuditEvent.objects.filter(action="report_cards_publish").exists()


def test_the_confirmed_publication_and_its_progress_say_when_parents_see_it(
        secretary_client, periods, in_process_celery, django_capture_on_commit_callbacks):
    mine, _theirs, _incomplete, _other = periods
    mine.publication_date = datetime.date(2027, 2, 5)
    mine.save(update_fields=["publication_date"])
    with django_capture_on_commit_callbacks(execute=True):
        response = secretary_client.post(
            reverse("admin:documents_reportingperiod_changelist"), publish_form(mine),
            follow=True)
    future = french("Parents will see these report cards from %(date)s.") % {
        "date": "5 février 2027"}
    assert future in html_of(response)
    mine.refresh_from_db()
    assert mine.published_at is not None
    progress = reverse("admin:documents_reportingperiod_progress", args=[mine.pk])
    assert future in html_of(secretary_client.get(progress))

    mine.publication_date = timezone.localdate()
    mine.save(update_fields=["publication_date"])
    assert french("Parents will see these report cards as soon as they are rendered.") in (
        html_of(secretary_client.get(progress)))


def test_the_confirmation_names_the_marks_a_line_still_lacks(secretary_client, family):
    # The secretary typed each course's mark: the page says what else the final card needs.
    period = make_period(kind=ReportingPeriod.Kind.SECONDARY_FINAL,
                         school=family.children[0].school)
    card = make_card(period)
    line = card.lines.first()
    line.subject = "Français"
    line.course_median = None
    line.credit_earned = ""
    line.save()

    page = html_of(secretary_client.post(reverse("admin:documents_reportingperiod_changelist"),
                                         publish_form(period, confirmed=False)))

    lacking = "Français (la médiane du cours et le crédit obtenu)"
    assert f"{card.student}</a> — {french('Missing: %(what)s') % {'what': lacking}}" in page


def test_the_help_desk_reads_a_report_card(client, family):
    # The help desk may view report cards (a parent calls about one), not change them.
    card = make_card(make_period(school=family.children[0].school), family.children[0])
    staff_login(client, make_staff("aide", board_level=True, group=HELP_DESK))

    page = html_of(client.get(reverse("admin:documents_reportcard_change", args=[card.pk])))

    assert str(card.student) in page and 'name="teacher_name"' not in page


def test_the_progress_page_leads_to_the_period_s_cards_only(secretary_client, periods):
    mine, _theirs, incomplete, _other = periods
    june = make_period(school=mine.school, name="Bulletin de juin")  # of the same kind
    june_card = make_card(june)
    progress = html_of(secretary_client.get(reverse("admin:documents_reportingperiod_progress",
                                                    args=[mine.pk])))
    link = re.search(r'<a href="([^"]+)">{}</a>'.format(
        re.escape(french("This period's report cards"))), progress).group(1)

    listing = html_of(secretary_client.get(link))

    assert str(incomplete.student) in listing and str(june_card.student) not in listing
    assert str(june) in listing  # offered in the list's period filter


def test_the_period_filter_reads_the_periods_at_once(secretary_client, periods,
                                                     django_assert_max_num_queries):
    mine, _theirs, _incomplete, _other = periods
    listing = reverse("admin:documents_reportcard_changelist")
    secretary_client.get(listing)  # the session's first-visit writes

    def queries() -> int:
        with django_assert_max_num_queries(50) as captured:
            page = html_of(secretary_client.get(listing))
        assert str(mine) in page  # the filter names each period
        return len(captured)

    few = queries()
    for name in ("Bulletin de juin", "Bulletin de mi-année", "Bulletin d'automne"):
        make_card(make_period(school=mine.school, name=name))
    assert queries() == few

