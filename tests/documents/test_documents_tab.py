"""Famille › Documents: the child's report cards of every year and the forms; each file
only for those who may see the child (else a 404 that leaks nothing)."""

import datetime
import io
import uuid
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    StreamObject,
)

from documents import publishing, selectors, services
from documents.models import BoardForm, ReportingPeriod
from students.models import Level
from tests import factories
from tests.documents.factories import make_card, make_period
from tests.pages import french, html_of
from tests.students.test_family_access import FORBIDDEN, _assert_nothing_leaks, _make_forbidden

pytestmark = pytest.mark.django_db
Kind = ReportingPeriod.Kind


def published(period, student, **card_fields):
    card = make_card(period, student, **card_fields)
    services.period_publish(period=period)
    publishing.report_card_render(card_id=card.pk)
    return card


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def board_form(title="Formulaire de sortie éducative", school=None) -> BoardForm:
    form = BoardForm(title_fr=title, title_en="Field trip form", school=school)
    content = blank_pdf()
    form.file.save("x.pdf", ContentFile(content), save=False)
    form.size = len(content)
    form.save()
    return form


@pytest.fixture
def world(family, other_family):
    today = timezone.localdate()
    last_year = factories.SchoolYearFactory(name="2025-2026",
                                            start_date=datetime.date(2025, 9, 2),
                                            end_date=datetime.date(2026, 6, 26))
    cards = {}
    for child in [*family.children, *other_family.children]:
        kind = Kind.SECONDARY_MIDTERM if child.school.level == Level.SECONDARY \
            else Kind.ELEMENTARY_PROVINCIAL
        period = make_period(kind=kind, school=child.school, publication_date=today,
                             start_date=today - datetime.timedelta(days=60), end_date=today)
        old = make_period(kind=kind, school=child.school, name="Bulletin de juin",
                          publication_date=datetime.date(2026, 6, 25),
                          start_date=datetime.date(2026, 2, 1),
                          end_date=datetime.date(2026, 6, 20))
        old.school_year = last_year
        old.save()
        cards[child.pk] = [published(period, child, lines=3), published(old, child, lines=3)]
    forms = [board_form(), board_form("Autorisation de l'école", school=family.children[0].school),
             board_form("Formulaire d'une autre école", school=other_family.children[0].school)]
    return family, other_family, cards, forms


def url(name, child, **kwargs):
    return reverse(f"students:documents:{name}", kwargs={"public_id": child.public_id,
                                                         **kwargs})


def test_the_tab_lists_every_year_newest_first_with_name_size_and_date(client, world):
    family, other_family, cards, forms = world
    child = family.children[0]
    client.force_login(family.user)

    body = client.get(url("list", child)).content.decode()

    new, old = cards[child.pk]
    new_name = selectors.report_card_filename(new)
    old_name = selectors.report_card_filename(old)
    assert new_name.startswith("Tremblay ") and f"_{child.niso}_" in new_name
    assert body.index(new_name) < body.index(old_name)
    assert body.index("2026-2027") < body.index("2025-2026")
    for card in (new, old):
        # The template extends one reversed prefix: the links must be the URLs' own.
        assert f'href="{url("report_card_download", child, card_id=card.public_id)}"' in body
        assert f'href="{url("report_card_print", child, card_id=card.public_id)}"' in body
    assert escape(forms[0].title_fr) in body and escape(forms[1].title_fr) in body
    for form in forms[:2]:
        assert f'href="{url("form_file", child, form_id=form.public_id)}"' in body
    assert escape(forms[2].title_fr) not in body  # another school's form
    other_card = cards[other_family.children[0].pk][0]
    assert str(other_card.public_id) not in body


def test_download_is_an_attachment_named_by_the_rule_and_never_cached(client, world):
    family, _other, cards, _forms = world
    child = family.children[0]
    card = cards[child.pk][0]
    client.force_login(family.user)

    response = client.get(url("report_card_download", child, card_id=card.public_id))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    name = selectors.report_card_filename(card)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote(name)}" in disposition
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    printed = client.get(url("report_card_print", child, card_id=card.public_id))
    assert printed["Content-Disposition"].startswith("inline;")
    assert printed["Cache-Control"] == "private, no-store"


def test_secondary_file_name_starts_with_the_school_code(world):
    family, _other, cards, _forms = world
    secondary = family.children[1]
    card = cards[secondary.pk][0]
    assert selectors.report_card_filename(card) == (
        f"{secondary.school.code}_{secondary.niso}_Bulletin de février_2026-2027_"
        f"{timezone.localdate().isoformat()}.pdf")


def test_file_names_are_safe_on_every_system_and_keep_accents(world):
    family, _other, cards, _forms = world
    card = cards[family.children[0].pk][0]
    card.student.legal_first_name = 'Zoé/"Éloïse"'
    card.period.name = "Bulletin: 1re étape?"
    assert selectors.report_card_filename(card) == (
        f"Tremblay Zoé Éloïse_{card.student.niso}_Bulletin 1re étape_2026-2027_"
        f"{card.period.publication_date.isoformat()}.pdf")


@pytest.mark.parametrize("case", FORBIDDEN)
def test_every_page_and_file_of_another_child_is_a_404_that_leaks_nothing(client, world,
                                                                          case):
    family, other_family, cards, forms = world
    cards_of = {pk: list(found) for pk, found in cards.items()}
    child = _make_forbidden(case, family, other_family)
    client.force_login(family.user)

    for response in [
        client.get(url("list", child)),
        client.get(url("report_card_download", child, card_id=cards_of[child.pk][0].public_id)),
        client.get(url("report_card_print", child, card_id=cards_of[child.pk][1].public_id)),
        client.get(url("form_file", child, form_id=forms[0].public_id)),
    ]:
        _assert_nothing_leaks(response, child)


def test_another_childs_document_under_my_childs_id_is_a_404(client, world):
    family, other_family, cards, forms = world
    mine = family.children[0]
    theirs = cards[other_family.children[0].pk][0]
    client.force_login(family.user)
    for name, kwargs in [("report_card_download", {"card_id": theirs.public_id}),
                         ("report_card_print", {"card_id": uuid.uuid4()}),
                         ("form_file", {"form_id": forms[2].public_id})]:
        assert client.get(url(name, mine, **kwargs)).status_code == 404


def test_a_report_card_before_its_publication_date_is_not_there(client, world):
    family, _other, cards, _forms = world
    child = family.children[0]
    card = cards[child.pk][0]
    card.period.publication_date = timezone.localdate() + datetime.timedelta(days=3)
    card.period.save()
    client.force_login(family.user)

    assert selectors.report_card_filename(card) not in client.get(url("list", child)).content \
        .decode()
    assert client.get(url("report_card_download", child,
                          card_id=card.public_id)).status_code == 404


def _correct(card) -> None:
    """Staff correct a comment and publish again: the card is rendered a second time."""
    line = card.lines.first()
    line.comment = "Commentaire corrigé."
    line.save()
    services.period_publish(period=card.period)
    publishing.report_card_render(card_id=card.pk)


def test_a_corrected_report_card_replaces_the_earlier_one_marked_as_corrected(client, world):
    family, _other, cards, _forms = world
    child = family.children[0]
    card = cards[child.pk][0]
    _correct(card)
    client.force_login(family.user)

    body = client.get(url("list", child)).content.decode()

    with translation.override("fr"):
        assert _("corrected") in body
    assert body.count(url("report_card_download", child, card_id=card.public_id)) == 1
    assert card.files.count() == 2


def test_the_tab_reads_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    family, _other, cards, _forms = world
    child = family.children[0]
    for index in range(6):
        period = make_period(school=child.school, name=f"Bulletin {index}",
                             publication_date=timezone.localdate())
        published(period, child, lines=2)
    board_form("Encore un formulaire")
    client.force_login(family.user)
    client.get(url("list", child))  # the session and the navigation's cache warm up
    with django_assert_max_num_queries(6):
        response = client.get(url("list", child))
    assert response.content.decode().count("telecharger/") == 8
    # The download: the user, the access query, the child's files with their periods.
    card = cards[child.pk][1]
    with django_assert_max_num_queries(4):
        download = client.get(url("report_card_download", child, card_id=card.public_id))
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_what_staff_typed_shows_escaped_in_either_language(client, world, settings):
    family, _other, cards, forms = world
    child = family.children[0]
    card = cards[child.pk][0]
    name = escape('Bulletin <b>"1"</b> & co')
    ReportingPeriod.objects.filter(pk=card.period_id).update(name='Bulletin <b>"1"</b> & co')
    forms[0].title_fr, forms[0].title_en = "Sortie <i>éducative</i>", "Field <i>trip</i>"
    forms[0].save()
    client.force_login(family.user)

    french_page = client.get(url("list", child)).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english_page = client.get(url("list", child)).content.decode()

    assert "<b>" not in french_page + english_page and "<i>" not in french_page + english_page
    assert f'aria-label="{escape(french("Download"))} — {name}"' in french_page
    assert f'aria-label="Download — {name}"' in english_page
    assert escape("Sortie <i>éducative</i>") in french_page
    assert escape("Field <i>trip</i>") in english_page
    assert escape("Sortie <i>éducative</i>") not in english_page


def test_the_download_is_the_latest_version_of_the_card(client, world):
    family, _other, cards, _forms = world
    child = family.children[0]
    card = cards[child.pk][0]
    _correct(card)
    latest, first = card.files.order_by("-version")
    client.force_login(family.user)

    response = client.get(url("report_card_download", child, card_id=card.public_id))

    content = b"".join(response.streaming_content)
    assert content == latest.file.open("rb").read() != first.file.open("rb").read()
    assert response["Content-Length"] == str(latest.size)


# --- Uploaded forms: checked by content ---------------------------------------------------

def upload(content: bytes, name: str = "formulaire.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def refused(content: bytes, name: str = "formulaire.pdf") -> str:
    with pytest.raises(ValidationError) as error, translation.override("fr"):
        services.pdf_upload_check(upload(content, name))
    return error.value.code


def test_a_real_pdf_is_accepted():
    services.pdf_upload_check(upload(blank_pdf()))


def test_uploads_that_are_not_real_pdfs_or_carry_a_script_are_refused(settings):
    assert refused(b"MZ\x90\x00 this is not a pdf") == "not_pdf"
    assert refused(b"%PDF-1.7\n garbage without any object") == "broken_pdf"

    assert refused(factories.scripted_pdf()) == "pdf_script"

    # An XFA form's scripts are in its XML, which no key above names.
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    xfa = StreamObject()
    xfa.set_data(b'<xdp:xdp><template><field><event activity="initialize">'
                 b'<script contentType="application/x-javascript">app.alert(1)</script>'
                 b"</event></field></template></xdp:xdp>")
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): writer._add_object(xfa)})
    scripted = io.BytesIO()
    writer.write(scripted)
    assert refused(scripted.getvalue()) == "pdf_script"

    assert refused(factories.pdf_with_attachment()) == "pdf_embedded_file"

    settings.DOCUMENT_UPLOAD_MAX_BYTES = 100
    assert refused(blank_pdf()) == "too_large"


def test_the_admin_refuses_a_bad_upload_in_french_and_keeps_nothing(secretary_client, family):
    response = secretary_client.post(reverse("admin:documents_boardform_add"), {
        "title_fr": "Formulaire", "title_en": "Form",
        "school": family.children[0].school.pk, "is_shown": "on",
        "file": upload(b"<script>alert(1)</script>", "faux.pdf"),
    }, HTTP_ACCEPT_LANGUAGE="fr")
    assert french("This file is not a PDF.") in html_of(response)
    assert not BoardForm.objects.exists()
