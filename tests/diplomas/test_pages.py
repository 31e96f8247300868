"""Famille › Relevés de notes: the transcript and the diploma's requirements, as a parent
reads them; only for secondary students the parent may see (else a 404 that leaks
nothing); a fixed number of queries; French and English."""

import dataclasses
import datetime
import re
from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import translation

from diplomas.models import Category, DiplomaRecord, Programme, StoredProgress, Waiver
from diplomas.selectors import REQUIREMENT_NAMES
from students import models
from tests import factories
from tests.diplomas.history import RESULTS, WITHDRAWN_MARK, give_history
from tests.pages import french, french_plural, html_of
from tests.students.test_family_access import FORBIDDEN, _assert_nothing_leaks, _make_forbidden

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("famille_today", "programmes")]


def chart_label(earned: int) -> str:
    """A category's chart's text in French, which agrees with the credits earned."""
    text = "%(name)s: %(earned)s of %(required)s credits earned, %(in_progress)s in progress"
    return french_plural(text, text, earned)


def transcript_url(child) -> str:
    return reverse("students:diplomas:transcript", kwargs={"public_id": child.public_id})


def diploma_url(child) -> str:
    return reverse("students:diplomas:diploma", kwargs={"public_id": child.public_id})


def text_of(page: str) -> str:
    """The page's words, one space apart."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


@pytest.fixture
def teen(family):
    """Alice's secondary child, in Grade 11, with the hand-worked history."""
    child = family.children[1]
    give_history(child)
    return child


def test_the_tab_shows_for_a_secondary_child_only(client, family, teen):
    client.force_login(family.user)
    elementary = family.children[0]
    tab = f'href="{transcript_url(teen)}"'
    assert tab in html_of(client.get(reverse("students:details",
                                             kwargs={"public_id": teen.public_id})))
    page = html_of(client.get(reverse("students:details",
                                      kwargs={"public_id": elementary.public_id})))
    assert french("Transcript") not in text_of(page) and "/releve/" not in page
    for url in (transcript_url(elementary), diploma_url(elementary)):
        assert client.get(url).status_code == 404


def test_the_transcript_lists_every_result_and_a_w_never_shows_its_mark(client, family, teen):
    client.force_login(family.user)
    page = html_of(client.get(transcript_url(teen)))
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    ics = text_of(next(row for row in rows if "ICS2O" in row))
    assert "W W" in ics and str(WITHDRAWN_MARK) not in ics
    mpm = [text_of(row) for row in rows if "MPM2D" in row]
    assert len(mpm) == 2 and any(" 44 0 " in row for row in mpm)
    equivalency = text_of(next(row for row in rows if "LWSBD" in row))
    assert french("Equivalent credit (PLAR)") in equivalency and "—" in equivalency
    assert "GLC2O" in page and french("online course") in page
    # In French, not left in English (the catalogue once missed the tag's words).
    assert french("withdrawn") != "withdrawn" and french("online course") != "online course"
    assert f'<abbr title="{french("withdrawn")}">W</abbr>' in page
    # Credits earned in all: 16 (the 0 of the failed MPM2D and the W count nothing).
    assert french("Credits earned: %(total)s") % {"total": "16"} in text_of(page)
    for code in ("FRA3U", "MCR3U", "SBI3U", "EAE3U"):  # this year's courses
        assert code in page
    deso = Programme.objects.get(code="deso-2024")
    assert f'<a href="{diploma_url(teen)}">{deso.name_fr}</a>' in page


def test_a_course_passed_twice_adds_its_credit_once_to_the_credits_earned(client, family):
    """A student who takes a passed course again to raise the mark earns its credit once:
    the transcript's total agrees with the requirements page (16, as without the repeat)."""
    child = family.children[1]
    give_history(child, results=[*RESULTS, ("2025-2026", "MTH1W", 86, 1, {})])
    client.force_login(family.user)
    page = text_of(html_of(client.get(transcript_url(child))))
    assert french("Credits earned: %(total)s") % {"total": "16"} in page
    assert figures(html_of(client.get(diploma_url(child))),
                   french("All credits"))[:2] == ["30", "16"]


def figures(page: str, heading: str) -> list[str]:
    """The five figures (required, earned, in progress, waived, remaining) under a heading."""
    section = page.split(f">{heading}</h")[1]
    dl = section.split('<dl class="figures">')[1].split("</dl>")[0]
    return re.findall(r"<dd>([^<]*)</dd>", dl)


def test_the_requirements_agree_with_the_hand_count(client, family, teen):
    client.force_login(family.user)
    page = html_of(client.get(diploma_url(teen)))
    assert figures(page, french("All credits")) == ["30", "16", "4", "0", "14"]
    assert figures(page, "Français") == ["4", "2", "1", "0", "2"]
    assert figures(page, "Mathématiques") == ["3", "2", "1", "0", "1"]
    assert figures(page, "STIM") == ["1", "0", "1", "0", "1"]
    assert figures(page, "Crédits au choix") == ["13", "3", "1", "0", "10"]
    assert figures(page, "Exploration de carrière") == ["0,5", "0,5", "0", "0", "0"]
    missing = [
        french_plural("%(count)s credit in %(category)s", "%(count)s credits in %(category)s",
                      2) % {"count": "2", "category": "Français"},
        french_plural("%(count)s credit in %(category)s", "%(count)s credits in %(category)s",
                      1) % {"count": "1", "category": "Mathématiques"},
        french_plural("%(count)s credit in %(category)s", "%(count)s credits in %(category)s",
                      1) % {"count": "1", "category": "STIM"},
        french_plural("%(count)s optional credit", "%(count)s optional credits", 10)
        % {"count": "10"},
        french_plural("%(count)s hour of community involvement",
                      "%(count)s hours of community involvement", 12) % {"count": "12"},
        french_plural("%(count)s online learning credit", "%(count)s online learning credits",
                      1) % {"count": "1"},
        french("the financial literacy component of Grade 10 mathematics"),
    ]
    assert f'{french("Still needed to graduate:")} {", ".join(missing)}.' in text_of(page)
    # The courses counted under their chart; the retaken MPM2D once, the W nowhere.
    maths = page.split(">Mathématiques</h4>")[1].split("</section>")[0]
    assert "MTH1W" in maths and maths.count("<th scope=\"row\">MPM2D") == 1 and "MCR3U" in maths
    assert "ICS2O" not in page
    # Each chart is an image named by its figures, which the page also gives in text.
    assert page.count('role="img"') == 13 + 1 + 4  # categories, all credits, the others
    label = chart_label(2) % {"name": "Français", "earned": "2", "required": "4",
                              "in_progress": "1"}
    assert f'role="img" aria-label="{label}"' in page
    # « 0,5 crédit obtenu sur 0,5 »: French is singular below 2.
    label = chart_label(0) % {"name": "Exploration de carrière", "earned": "0,5",
                              "required": "0,5", "in_progress": "0"}
    assert f'role="img" aria-label="{label}"' in page


def test_in_english(client, family, teen):
    client.force_login(family.user)
    client.cookies["django_language"] = "en"
    page = html_of(client.get(diploma_url(teen)))
    assert "Ontario Secondary School Diploma (OSSD)" in page
    assert "Still needed to graduate: 2 credits in French, 1 credit in Mathematics" in \
        text_of(page)
    assert figures(page, "Career studies") == ["0.5", "0.5", "0", "0", "0"]


def test_a_staff_choice_of_programme_and_waived_credits_show(client, family, teen):
    record = DiplomaRecord.objects.get(student=teen)
    record.programme = Programme.objects.get(code="ceso")
    record.save()
    client.force_login(family.user)
    page = html_of(client.get(diploma_url(teen)))
    assert figures(page, french("All credits")) == ["14", "14", "0", "0", "0"]
    assert french("Every requirement is met.") in page


def test_a_substituted_compulsory_credit_leaves_30_credits_to_earn(client, family, teen):
    """The principal substitutes the STIM credit: STIM is met, one more optional credit is
    needed, and the diploma still asks 30 credits (ONTARIO.md), 14 of them still to earn."""
    stem = Category.objects.get(programme__code="deso-2024", name_fr="STIM")
    Waiver.objects.create(record=DiplomaRecord.objects.get(student=teen), category=stem,
                          credits=Decimal(1), reason="Substitution")
    client.force_login(family.user)
    page = html_of(client.get(diploma_url(teen)))
    assert figures(page, "STIM") == ["1", "0", "0", "1", "0"]
    assert figures(page, "Crédits au choix") == ["14", "3", "2", "0", "11"]
    assert figures(page, french("All credits")) == ["30", "16", "4", "0", "14"]
    assert french_plural("%(count)s optional credit", "%(count)s optional credits", 11) % {
        "count": "11"} in text_of(page)


def test_a_course_failed_in_semester_1_and_taken_again_in_semester_2_is_in_progress(
        client, family):
    """MCR3U failed in January, taken again from February: the retake is a course in
    progress (on the transcript and in the forecast), not hidden by the failed result."""
    child = family.children[1]
    give_history(child, results=[("2024-2025", "MTH1W", 70, 1, {}),
                                 ("2025-2026", "MPM2D", 75, 1, {})])
    this_year = factories.SchoolYearFactory()
    mcr = models.Course.objects.get(code="MCR3U")
    models.CourseResult.objects.create(
        student=child, course=mcr, school=child.school, school_year=this_year, mark=42,
        credit_earned=0, completion_date=datetime.date(2027, 1, 29))
    second = models.Term.objects.create(
        school=child.school, school_year=this_year, code="S2", name="Semestre 2",
        start_date=datetime.date(2027, 2, 1), end_date=this_year.end_date)
    section = factories.SectionFactory(course=mcr, term=second, school=child.school,
                                       section_number="9")
    models.SectionEnrolment.objects.create(student=child, section=section)
    client.force_login(family.user)
    in_progress = html_of(client.get(transcript_url(child))).split(
        french("Courses in progress"))[1]
    assert "MCR3U" in in_progress and "Semestre 2" in in_progress
    page = html_of(client.get(diploma_url(child)))
    assert figures(page, "Mathématiques") == ["3", "2", "1", "0", "1"]


def test_maths_needs_a_grade_10_credit(client, family):
    """MTH1W and MHF4U earned, MCR3U in progress, no Grade 10 maths: 2 of 3 credits, and
    MCR3U cannot stand in for Grade 10 (the forecast counts it elsewhere)."""
    child = family.children[1]
    give_history(child, results=[("2024-2025", "MTH1W", 70, 1, {}),
                                 ("2025-2026", "MHF4U", 80, 1, {})])
    client.force_login(family.user)
    page = html_of(client.get(diploma_url(child)))
    assert figures(page, "Mathématiques") == ["3", "2", "0", "0", "1"]
    maths = page.split(">Mathématiques</h4>")[1].split("</section>")[0]
    assert "MTH1W" in maths and "MHF4U" in maths and "MCR3U" not in maths


def test_at_most_2_co_op_credits_count_in_the_groups(client, family):
    """DESO of 2023 and before, three co-op credits and no other course of the groups: two
    count in Groups 1 to 3, the third as an optional credit."""
    child = family.children[1]
    give_history(child, results=[("2025-2026", code, 80, 1, {})
                                 for code in ("DCO3O", "DCO4O", "DCO3E")])
    DiplomaRecord.objects.filter(student=child).update(
        programme=Programme.objects.get(code="deso-2023"))
    client.force_login(family.user)
    page = html_of(client.get(diploma_url(child)))
    groups = [figures(page, f"Groupe {n}")[1] for n in (1, 2, 3)]
    assert sorted(groups) == ["0", "1", "1"]
    assert figures(page, "Crédits au choix")[1] == "1"
    assert figures(page, french("All credits"))[1] == "3"


def test_a_change_shows_on_the_next_page_despite_the_caches(
        client, family, teen, django_capture_on_commit_callbacks):
    """The page's content is cached under the digest of what it shows, the programmes
    until the board changes them: a new mark, or a renamed category, shows at once."""
    client.force_login(family.user)
    assert "Arts" in html_of(client.get(diploma_url(teen)))
    result = models.CourseResult.objects.get(student=teen, course__code="AVI1O")
    result.mark = 63
    result.save()
    category = Programme.objects.get(code="deso-2024").categories.get(name_fr="Arts")
    category.name_fr = "Éducation artistique"
    with django_capture_on_commit_callbacks(execute=True):  # the copy goes on commit
        category.save()
    page = html_of(client.get(diploma_url(teen)))
    arts = page.split(">Éducation artistique</h4>")[1].split("</section>")[0]
    assert "<td>63</td>" in arts
    assert "<td>63</td>" in html_of(client.get(transcript_url(teen)))


def test_with_no_programme_the_transcript_says_so_and_the_summary_is_a_404(client, family,
                                                                           teen):
    Programme.objects.update(is_default=False)
    client.force_login(family.user)
    page = html_of(client.get(transcript_url(teen)))
    assert french("No diploma programme applies to this student yet: ask the school.") in page
    assert client.get(diploma_url(teen)).status_code == 404


@pytest.fixture
def both_secondary(family, other_family):
    """The cases of the access tests aimed at secondary children with a history."""
    other = other_family.children[0]
    other.school.level = models.Level.SECONDARY
    other.school.save()
    for child in (family.children[1], other):
        give_history(child)
    return dataclasses.replace(family, children=family.children[::-1],
                               links=family.links[::-1]), other_family


@pytest.mark.parametrize("case", FORBIDDEN)
@pytest.mark.parametrize("page", [transcript_url, diploma_url])
def test_any_other_child_is_a_404_that_leaks_nothing(client, both_secondary, case, page):
    family, other_family = both_secondary
    child = _make_forbidden(case, family, other_family)
    assert child.is_secondary
    client.force_login(family.user)
    response = client.get(page(child))
    _assert_nothing_leaks(response, child)
    assert "FRA1D" not in response.content.decode()


def test_anonymous_visitors_go_to_the_login_page(client, teen):
    response = client.get(diploma_url(teen))
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]


@pytest.mark.parametrize("page", [transcript_url, diploma_url])
def test_the_query_count_does_not_grow_with_the_transcript(client, family, teen, page,
                                                          django_assert_num_queries):
    client.force_login(family.user)
    client.get(page(teen))  # the session and the cached navigation settle; the row stored
    for _visit in range(2):  # the year cached: the first read only starts a version
        client.get(page(teen))
    with django_assert_num_queries(QUERIES):
        html_of(client.get(page(teen)))
    StoredProgress.objects.filter(student=teen).update(version=F("version") + 1)
    with django_assert_num_queries(QUERIES_COMPUTING):  # an outdated row: computed again
        html_of(client.get(page(teen)))
    more_years = factories.SchoolYearFactory(name="2023-2024",
                                             start_date="2023-09-05", end_date="2024-06-28")
    models.CourseResult.objects.bulk_create(
        models.CourseResult(student=teen, school=teen.school, school_year=more_years,
                            course=factories.CourseFactory(code=f"HZ{n:02d}1"), mark=70,
                            credit_earned=1)
        for n in range(40))
    with django_assert_num_queries(QUERIES_COMPUTING):  # the insert outdated the row
        assert "HZ391" in html_of(client.get(page(teen)))
    with django_assert_num_queries(QUERIES):
        html_of(client.get(page(teen)))


# The user (1, the session being in the cache), the children (1) and the stored row (1);
# this year, which the row must be of, comes from the timetables' cache.
QUERIES = 3
# The row being outdated: the user, the children, the row (3, not this year), then the
# row again (1), this year (1), the results (1), this year's classes (1), the diploma
# record and its waivers (2), the programmes with their categories and groups, their caps
# and the caps' categories (5), the row's update (1).
QUERIES_COMPUTING = 15


def test_two_children_with_the_same_record_each_link_to_their_own_page(client, family,
                                                                       other_family):
    """The pages' content is cached under the digest of what they show; two children with
    no result yet show the same, but each page's links are to its own child."""
    teen, other = family.children[1], other_family.children[0]
    factories.SchoolYearFactory()  # this year: the default programme of their cohort
    for child in (teen, other):
        child.school, child.grade = teen.school, 11
        child.save()
    for parent, child in ((family, teen), (other_family, other)):
        client.force_login(parent.user)
        page = html_of(client.get(transcript_url(child)))
        assert f'<a href="{diploma_url(child)}">' in page
        assert f'<p><a href="{transcript_url(child)}">' in html_of(client.get(diploma_url(child)))


def test_what_staff_typed_is_escaped(client, family, teen):
    """The tables are written in Python (diplomas.templatetags): a course's title shows as
    typed, never as markup."""
    models.Course.objects.filter(code="AVI1O").update(title_fr="Arts & <i>médias</i>")
    client.force_login(family.user)
    for page in (transcript_url(teen), diploma_url(teen)):
        html = client.get(page).content.decode()  # as sent: html_of() unescapes
        assert "Arts &amp; &lt;i&gt;médias&lt;/i&gt;" in html and "<i>médias" not in html


@pytest.mark.parametrize(("language", "value", "words"), [
    ("fr", "0.5", "0,5 crédit d'apprentissage en ligne"),
    ("fr", "1.5", "1,5 crédit d'apprentissage en ligne"),
    ("fr", "2", "2 crédits d'apprentissage en ligne"),
    ("en", "0.5", "0.5 online learning credits"),
    ("en", "1", "1 online learning credit"),
])
def test_a_half_credit_takes_the_plural_of_the_readers_language(language, value, words):
    with translation.override(language):
        assert REQUIREMENT_NAMES["online_credits"](Decimal(value)) == words


def test_this_years_classes_name_their_term_in_the_pages_language(client, family, teen):
    client.force_login(family.user)
    client.cookies["django_language"] = "en"
    rows = re.findall(r"<tr>(.*?)</tr>", html_of(client.get(transcript_url(teen))), re.S)
    fra = text_of(next(row for row in rows if "FRA3U" in row))
    assert fra.startswith("Semester 1 FRA3U") and "Semestre" not in fra
