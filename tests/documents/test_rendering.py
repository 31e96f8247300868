"""Report cards as PDF: each kind renders, reads in order, is tagged, embeds only our font."""

import datetime
import gc
import io
import re
from xml.etree.ElementTree import ParseError

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from weasyprint import HTML

from documents import rendering, selectors, services
from documents.models import ReportCard, ReportingPeriod
from students.models import AttendanceCode
from tests import factories
from tests.documents.factories import make_card, make_period, rate_course

Kind = ReportingPeriod.Kind


def render(card) -> bytes:
    card = selectors.report_card_for_rendering(card.pk)
    return rendering.report_card_pdf(selectors.report_card_document(card))


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def in_order(text: str, *parts: str) -> bool:
    position = 0
    for part in parts:
        found = text.find(str(part), position)
        if found < 0:
            return False
        position = found + len(str(part))
    return True


# Labels are the French catalogue's (English msgids until it has them): read through gettext.
def expected_fields(card) -> list:
    first = card.lines.first()
    return {
        Kind.KINDERGARTEN: [_("Frame"), "Appartenance et contribution",
                            "Résolution de problèmes"],
        Kind.ELEMENTARY_PROGRESS: [_("Progress"), first.get_progress_display()],
        Kind.ELEMENTARY_PROVINCIAL: [_("Letter grade"), f"{first.letter_grade} ",
                                     "Fiabilité", "Utilisation du français oral"],
        Kind.SECONDARY_MIDTERM: ["FRA2D", _("Course median"), f" {first.percentage} "],
        Kind.SECONDARY_FINAL: ["FRA2D", _("Credit earned"), _("Community involvement hours"),
                               _("Met")],
    }[card.period.kind]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", Kind.values)
def test_each_kind_renders_its_fields_in_reading_order(kind):
    period = make_period(kind=kind)
    student = factories.StudentFactory(
        school=period.school, legal_first_name="Léa", legal_last_name="Tremblay",
        niso="999123456", grade=10 if period.is_secondary else 0
        if kind == Kind.KINDERGARTEN else 5)
    card = make_card(period, student)
    card.days_absent, card.times_late = 3, 2
    card.save()

    text = text_of(render(card))

    with translation.override("fr"):
        assert in_order(text, "Conseil des écoles publiques de l'Est de l'Ontario",
                        str(period.get_kind_display()), "Tremblay, Léa", "999-123-456",
                        "Mme Geneviève Lavoie", period.school.name, "Mme Josée Lalonde",
                        f"{_('Days absent')} 3", f"{_('Times late')} 2"), text[:600]
        for part in expected_fields(card):
            assert str(part) in text, part
        if kind == Kind.KINDERGARTEN:  # frames, not subjects
            assert str(_("Subject")) not in text
        assert in_order(text, card.lines.first().subject, card.lines.last().subject,
                        _("Teacher's signature"))


@pytest.mark.django_db
def test_twelve_subjects_with_long_comments_make_two_pages():
    card = make_card(make_period(), lines=12, comment_sentences=5)
    assert len(PdfReader(io.BytesIO(render(card))).pages) == 2


def text_positions(pdf: bytes) -> list[tuple[float, float, str]]:
    """(x where the text starts, page width, text) of every run of text, in points."""
    positions = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        width = float(page.mediabox.width)

        def visit(text, cm, tm, font, size, width=width):
            if text.strip():
                positions.append((tm[4] * cm[0] + tm[5] * cm[2] + cm[4], width, text.strip()))

        page.extract_text(visitor_text=visit)
    return positions


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [Kind.ELEMENTARY_PROVINCIAL, Kind.SECONDARY_FINAL])
def test_every_table_fits_in_the_page_so_the_ratings_are_printed(kind):
    pdf = render(make_card(make_period(kind=kind), lines=12, comment_sentences=5))
    right_margin = 14 / 25.4 * 72  # the stylesheet's @page margin: 14 mm

    positions = text_positions(pdf)

    outside = [text for x, width, text in positions if not 0 < x < width - right_margin]
    assert not outside, outside
    if kind == Kind.ELEMENTARY_PROVINCIAL:  # the skills' ratings, in their column
        assert {"E", "T", "S"} & {text for _x, _width, text in positions}


@pytest.mark.django_db
def test_learning_skills_are_rated_with_the_french_letters():
    # Good is "Très bien" in French: T, as the legend below the table says.
    card = make_card(make_period())
    ratings = list(card.skills.select_related("skill").order_by("skill__order"))
    for rating, letter in zip(ratings, "EGSNGES", strict=True):
        rating.rating = letter
        rating.save()

    text = text_of(render(card))

    assert in_order(text, *(f"{rating.skill.name_fr} {french}"
                            for rating, french in zip(ratings, "ETSNTES", strict=True))), text
    assert "T = Très bien" in text


@pytest.mark.django_db
def test_the_headings_are_the_pdfs_bookmarks_and_line_breaks_are_kept():
    # Our user-agent stylesheet (documents/rendering.py) carries WeasyPrint's rules for them.
    card = make_card(make_period())
    card.comments = "Première ligne.\nDeuxième ligne."
    card.save()
    reader = PdfReader(io.BytesIO(render(card)))

    title, sections = [item if isinstance(item, list) else item.title
                       for item in reader.outline]
    with translation.override("fr"):
        assert title == str(Kind.ELEMENTARY_PROVINCIAL.label)
        assert [section.title for section in sections][-1] == _("General comments")
    assert "Première ligne.\nDeuxième ligne." in reader.pages[-1].extract_text()


@pytest.mark.django_db
def test_names_and_comments_with_markup_characters_are_printed_as_typed():
    card = make_card(make_period())
    card.student.legal_last_name = "O'Brien & <Fils>"
    card.student.save()
    line = card.lines.first()
    line.comment = 'Lit "bien" & vite <b>'
    line.save()
    card.comments = "Tom & Jerry <i>x</i>\r\nDeuxième ligne."
    card.save()

    pdf = render(card)

    text = text_of(pdf)
    assert "O'Brien & <Fils>, " in text
    assert 'Lit "bien" & vite <b>' in text
    last_page = PdfReader(io.BytesIO(pdf)).pages[-1].extract_text()
    assert "Tom & Jerry <i>x</i>\nDeuxième ligne." in last_page


@pytest.mark.django_db
def test_control_characters_pasted_from_a_word_processor_do_not_stop_a_card():
    card = make_card(make_period())
    line = card.lines.first()
    line.comment = "Première ligne\vdeuxième\x01 ligne\x0c"
    line.save()

    text = text_of(render(card))

    assert "Première ligne deuxième ligne" in text


def test_markup_that_is_not_well_formed_xml_is_refused_not_guessed():
    # An HTML5 parser would render this; expat (documents.rendering) refuses it.
    with pytest.raises(ParseError):
        rendering.html_to_pdf('<html lang="fr"><title>t</title><p>Un<br>deux</p></html>')


def test_our_html_is_weasyprints_own_but_for_the_parser():
    # ReportCardHTML sets what WeasyPrint's HTML.__init__ sets after parsing: a WeasyPrint
    # that sets anything else, or reads the tree otherwise, fails here.
    markup = ('<html lang="fr"><head><title>T</title><base href="sub/"/></head>'
              '<body><p class="c">Un<br/>deux &amp; trois</p></body></html>')
    options = {"base_url": "file:///bundled/", "url_fetcher": rendering.fetcher()}
    ours = rendering.ReportCardHTML(markup, **options)
    theirs = HTML(string=markup, **options)

    assert vars(ours).keys() == vars(theirs).keys()
    assert ours.base_url == theirs.base_url == "file:///bundled/sub/"
    assert ours.media_type == theirs.media_type
    assert type(ours.wrapper_element) is type(theirs.wrapper_element)
    assert ([(e.tag, e.attrib, e.text, e.tail) for e in ours.etree_element.iter()]
            == [(e.tag, e.attrib, e.text, e.tail) for e in theirs.etree_element.iter()])


def test_weasyprint_takes_our_user_agent_stylesheet(monkeypatch):
    # The hook ReportCardHTML overrides is the one WeasyPrint calls when it renders.
    taken = []
    monkeypatch.setattr(rendering, "user_agent_stylesheet",
                        lambda: taken.append(1) or rendering.CSS(string="p { color: red }"))
    rendering.html_to_pdf('<html lang="fr"><title>t</title><p>x</p></html>')
    assert taken


@pytest.mark.django_db
def test_pdf_is_tagged_in_french_with_a_title_and_only_the_bundled_font():
    card = make_card(make_period(kind=Kind.SECONDARY_FINAL))
    reader = PdfReader(io.BytesIO(render(card)))
    root = reader.trailer["/Root"]

    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "fr"
    assert root["/MarkInfo"]["/Marked"]
    with translation.override("fr"):
        assert str(Kind.SECONDARY_FINAL.label) in reader.metadata.title
    assert "Tremblay" in reader.metadata.title
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(re.sub(r"^[A-Z]{6}\+", "", font.get_object()["/BaseFont"][1:]))
    # Our @font-face family (Liberation Sans inside), no fallback from the system.
    assert fonts <= {"Portail-Bulletin", "Portail-Bulletin-Bold"}, fonts
    assert fonts


def test_the_fetcher_refuses_file_urls_outside_the_bundled_files_and_the_network(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    fetcher = rendering.BundledFilesFetcher()
    for url in [secret.as_uri(), "file:///etc/passwd", "http://127.0.0.1:9/x.css",
                "https://example.com/font.ttf", "data:text/css,body{}",
                rendering.STYLESHEET.parent.as_uri() + "/../../manage.py"]:
        with pytest.raises(rendering.RefusedURL):
            fetcher.fetch(url)
    font = (rendering.STYLESHEET.parent.parent / "fonts" / "LiberationSans-Regular.ttf")
    assert fetcher.fetch(font.as_uri()).read(4) == b"\x00\x01\x00\x00"


def test_a_template_that_points_outside_stops_the_rendering(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not an image")
    for url in [secret.as_uri(), "http://127.0.0.1:9/x.png"]:
        html = f'<html lang="fr"><title>t</title><img src="{url}" alt="x"/></html>'
        with pytest.raises(rendering.RefusedURL):
            rendering.html_to_pdf(html)


def test_one_font_configuration_stylesheet_and_fetcher_per_process():
    assert rendering.font_configuration() is rendering.font_configuration()
    assert rendering.stylesheet() is rendering.stylesheet()
    assert rendering.fetcher() is rendering.fetcher()


def test_rendering_leaves_the_garbage_collector_as_it_found_it_and_no_garbage():
    html = '<html lang="fr"><title>t</title><p>Bonjour<br/>Au revoir</p></html>'
    rendering.html_to_pdf(html)
    gc.collect()

    rendering.html_to_pdf(html)

    assert gc.isenabled()
    assert gc.collect() == 0  # the card's cycles were freed as it ended: none piles up

    gc.disable()
    try:
        rendering.html_to_pdf(html)
        assert not gc.isenabled()
    finally:
        gc.enable()


def secondary_card_with_timetable(kind: str = Kind.SECONDARY_MIDTERM):
    """Léa's card for the first semester's two courses: MTH1W on Monday and Wednesday in
    period 1 (M. Simon Bélanger's section), SNC2D on Monday in period 2 (Mme Ouellet's)."""
    period = make_period(kind=kind)
    student = factories.StudentFactory(school=period.school, grade=10)
    term = factories.TermFactory(school=period.school, school_year=period.school_year)
    maths = factories.SectionFactory(term=term, course=factories.CourseFactory(code="MTH1W"))
    science = factories.SectionFactory(
        term=term, teacher_name="Mme Nadia Ouellet", course=factories.CourseFactory(
            code="SNC2D", title_fr="Sciences, 10e année", title_en="Science, Grade 10"))
    for section, day, period_of_day in [(maths, 1, 1), (maths, 3, 1), (science, 1, 2)]:
        factories.MeetingFactory(section=section, day=day, period=period_of_day)
        section.students.add(student)
    absent = factories.AttendanceCodeFactory()
    late = factories.AttendanceCodeFactory(code="RET", label_fr="Retard", label_en="Late",
                                           kind=AttendanceCode.Kind.LATE)
    for day, period_of_day, code in [
            (datetime.date(2026, 10, 5), 1, absent),  # Monday: maths
            (datetime.date(2026, 10, 7), 1, late),  # Wednesday: maths
            (datetime.date(2026, 10, 12), None, absent),  # a Monday's full day: both
            (datetime.date(2026, 10, 6), 1, absent),  # Tuesday: no class of either
            (datetime.date(2027, 3, 1), 2, absent)]:  # after the period
        factories.AttendanceRecordFactory(student=student, date=day, period=period_of_day,
                                          code=code)
    return make_card(period, student)


@pytest.mark.django_db
def test_publishing_a_secondary_card_counts_each_courses_classes_missed_and_times_late():
    card = secondary_card_with_timetable()

    services.period_publish(period=card.period)

    lines = {line.course.code: (line.classes_missed, line.times_late)
             for line in card.lines.select_related("course")}
    assert lines == {"MTH1W": (2, 1), "SNC2D": (1, 0)}
    maths, science = card.lines.order_by("order")
    text = text_of(render(card))
    assert in_order(text, _("Course median"), _("Credit earned"), _("Classes missed"),
                    _("Times late"), _("Comments"))
    assert in_order(text, "MTH1W", f" {maths.percentage} {maths.course_median} 2 1 ",
                    "SNC2D", f" {science.percentage} {science.course_median} 1 0 "), text


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [Kind.SECONDARY_MIDTERM, Kind.SECONDARY_FINAL])
def test_each_course_names_its_sections_teacher_and_the_credit_once_earned(kind):
    card = secondary_card_with_timetable(kind)
    ReportCard.objects.filter(pk=card.pk).update(teacher_name="M. Paul Titulaire")
    rate_course(card.lines.create(
        order=9, subject="Orientation", percentage=80, course_median=75,
        credit_earned="1" if kind == Kind.SECONDARY_FINAL else "",
        course=factories.CourseFactory(code="GLC2O", title_fr="Orientation")))

    services.period_publish(period=card.period)

    teachers = dict(card.lines.values_list("course__code", "teacher_name"))
    assert teachers == {"MTH1W": "M. Simon Bélanger", "SNC2D": "Mme Nadia Ouellet",
                        "GLC2O": "M. Paul Titulaire"}  # no section: the card's teacher
    maths = card.lines.get(course__code="MTH1W")
    credit = " 1 " if kind == Kind.SECONDARY_FINAL else " "
    text = text_of(render(card))
    assert in_order(text, "MTH1W", _("Teacher: %(name)s") % {"name": "M. Simon Bélanger"},
                    f" {maths.percentage} {maths.course_median}{credit}2 1 ", "SNC2D",
                    "Mme Nadia Ouellet", "GLC2O", "M. Paul Titulaire"), text
