"""The Famille tab's pages as a parent reads them: tabs, Détails sub-tabs, Assiduité,
Emploi du temps, Adhésion; both languages; a fixed number of queries per page.

French pages are checked on lang="fr", French dates and the data; English pages on
their labels.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from students import selectors, views
from students.models import AttendanceRecord, Meeting, Student, TimetablePublication
from tests import factories
from tests.pages import french
from tests.students import famille_factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("famille_today")]

CHILD_PAGES = ["details", "address", "contacts", "photo", "attendance", "forms", "timetable",
               "calendar", "enrolments"]
DETAILS_SUB_TABS = ["details", "address", "contacts", "photo", "forms", "attendance"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def alice(client, family):
    """Alice, logged in, with two children in two schools and their school life."""
    famille_factories.furnish_family(family)
    client.force_login(family.user)
    return family


def url(name: str, student: Student, **query) -> str:
    path = reverse(f"students:{name}", kwargs={"public_id": student.public_id})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def html(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def main_of(page: str) -> str:
    return page[page.index('<main id="main"'):page.index("</main>")]


def hrefs(fragment: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', fragment)


def nav(page: str, label: str) -> str:
    start = page.index(f'aria-label="{label}"')
    return page[start:page.index("</nav>", start)]


def english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


class TestFamilyTab:
    def test_lists_each_child_with_photo_school_and_grade(self, client, alice):
        page = main_of(html(client, reverse("students:family")))
        with_photo, without_photo = alice.children
        for child in alice.children:
            assert f"{child.last_name}, {child.first_name}" in page
            assert escape(child.school.name) in page
            assert child.get_grade_display() in page
            assert url("details", child) in page
        assert f'src="{url("photo_file", with_photo)}"' in page
        assert url("photo_file", without_photo) not in page

    def test_with_one_child_goes_straight_to_that_child(self, client, other_family):
        client.force_login(other_family.user)
        response = client.get(reverse("students:family"))
        assert response.status_code == 302
        assert response["Location"] == url("details", other_family.children[0])

    def test_without_children_explains_what_to_do(self, client, charlie):
        client.force_login(charlie)
        page = html(client, reverse("students:family"))
        assert 'class="empty-state"' in page
        assert f"mailto:{settings.HELPDESK_EMAIL}" in page

    def test_the_chosen_child_stays_chosen(self, client, alice):
        second = alice.children[1]
        html(client, url("timetable", second))
        page = main_of(html(client, reverse("students:family")))
        chosen = re.search(r'<a class="card__link" href="([^"]+)" aria-current="true">', page)
        assert chosen and chosen.group(1) == url("details", second)

    def test_switching_children_writes_no_session(self, client, alice):
        """The chosen child is a cookie: a session write is a database transaction."""
        first, second = alice.children
        html(client, url("details", first))  # the session's first-visit writes
        with CaptureQueriesContext(connection) as queries:
            html(client, url("details", second))
        assert [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]
                ] == []
        cookie = client.cookies[views.CHOSEN_STUDENT_COOKIE]
        assert cookie.value == str(second.public_id) and cookie["httponly"]
        page = main_of(html(client, reverse("students:family")))
        assert f'href="{url("details", second)}" aria-current="true"' in page

    def test_a_chosen_child_of_another_family_marks_nothing(self, client, alice,
                                                             other_family):
        client.cookies[views.CHOSEN_STUDENT_COOKIE] = str(other_family.children[0].public_id)
        page = main_of(html(client, reverse("students:family")))
        assert 'aria-current="true"' not in page
        assert str(other_family.children[0].public_id) not in page


class TestChildLayout:
    @pytest.mark.parametrize("name", CHILD_PAGES)
    def test_side_tabs_in_asp_order_and_only_those_that_exist(self, client, alice, name):
        child = alice.children[1]  # secondary: Relevé de notes comes second
        english(client)
        tabs = nav(html(client, url(name, child)), f"Tabs for {child.first_name}")
        assert hrefs(tabs) == [url("details", child),
                               reverse("students:diplomas:transcript",
                                       kwargs={"public_id": child.public_id}),
                               url("timetable", child), url("enrolments", child),
                               reverse("students:documents:list",
                                       kwargs={"public_id": child.public_id}),
                               reverse("notifications:child",
                                       kwargs={"public_id": child.public_id})]
        elementary = alice.children[0]
        assert "Transcript" not in nav(html(client, url(name, elementary)),
                                       f"Tabs for {elementary.first_name}")
        current = {"timetable": "timetable", "calendar": "timetable",
                   "enrolments": "enrolments"}.get(name, "details")
        marked = re.findall(r'href="([^"]+)" aria-current="(page|true)"', tabs)
        assert [href for href, _ in marked] == [url(current, child)]
        # "page" only on the tab's own page; "true" on a page inside it.
        assert marked[0][1] == ("page" if name in ("details", "timetable", "enrolments")
                                else "true")

    @pytest.mark.parametrize("name", DETAILS_SUB_TABS)
    def test_details_sub_tabs_in_order_with_the_current_one_marked(self, client, alice, name):
        child = alice.children[0]
        english(client)
        sub_tabs = nav(html(client, url(name, child)), "Details")
        assert hrefs(sub_tabs) == [url(tab, child) for tab in DETAILS_SUB_TABS]
        assert re.findall(r'href="([^"]+)" aria-current="page"', sub_tabs) == [url(name, child)]

    @pytest.mark.parametrize("name", ["timetable", "calendar", "enrolments"])
    def test_other_side_tabs_have_no_details_sub_tabs(self, client, alice, name):
        english(client)
        assert 'aria-label="Details"' not in html(client, url(name, alice.children[0]))

    @pytest.mark.parametrize("name", CHILD_PAGES)
    def test_child_switcher_leads_to_the_same_tab_for_each_child(self, client, alice, name):
        # In the Famille tab's order: by name.
        first, second = sorted(alice.children,
                               key=lambda c: (c.legal_last_name, c.legal_first_name))
        english(client)
        switcher = nav(html(client, url(name, second)), "My children")
        assert hrefs(switcher) == [url(name, first), url(name, second)]
        assert re.findall(r'href="([^"]+)" aria-current="page"', switcher) == [
            url(name, second)]

    def test_from_a_secondary_students_page_an_elementary_child_leads_to_details(
            self, client, alice):
        older, younger = alice.children
        Student.objects.filter(pk=older.pk).update(grade=10)
        Student.objects.filter(pk=younger.pk).update(grade=5)
        for name in ("transcript", "diploma"):
            page = reverse(f"students:diplomas:{name}", kwargs={"public_id": older.public_id})
            switcher = hrefs(nav(html(client, page), french("My children")))
            assert page in switcher and url("details", younger) in switcher

    def test_what_staff_change_shows_in_the_navigation_at_once(self, client, alice):
        """The navigation is cached by what it shows: a change is a new entry."""
        first, second = alice.children
        page = url("details", first)
        html(client, page)
        html(client, page)  # the navigation now comes from the cache
        Student.objects.filter(pk=second.pk).update(preferred_first_name="Lili")
        Student.objects.filter(pk=first.pk).update(grade=first.grade + 1, homeroom="")
        first.refresh_from_db()
        main = main_of(html(client, page))
        assert "Lili" in nav(main, french("My children"))
        assert first.get_grade_display() in re.search(
            r'<p class="child-meta">(.*?)</p>', main).group(1)
        # Another child's page, or another page of this one, has its own navigation.
        assert re.findall(r'href="([^"]+)" aria-current="page"',
                          nav(main_of(html(client, url("address", first))),
                              french("Details"))) == [url("address", first)]

    def test_no_child_switcher_with_one_child(self, client, other_family):
        client.force_login(other_family.user)
        english(client)
        assert "My children" not in html(client, url("details", other_family.children[0]))

    @pytest.mark.parametrize("name", CHILD_PAGES)
    def test_title_names_the_tab_and_the_child(self, client, alice, name):
        child = alice.children[0]
        english(client)
        title = re.search(r"<title>(.*?)</title>", html(client, url(name, child))).group(1)
        assert f"– {child.first_name} {child.last_name} – Portail Famille" in title


class TestDetails:
    def test_demographics(self, client, alice):
        child = alice.children[0]
        child.preferred_first_name = "Lili"
        child.homeroom = "4B"
        child.save()
        page = main_of(html(client, url("details", child)))
        assert "<h1>Lili Tremblay</h1>" in page
        assert child.legal_first_name in page
        assert "21 août 2017" in page  # date of birth, French by default
        assert child.niso_display in page and re.fullmatch(r"\d{3}-\d{3}-\d{3}",
                                                             child.niso_display)
        assert escape(child.school.name) in page
        assert "4B" in page
        # The address has its own sub-tab now.
        assert child.street not in page

    def test_demographics_in_english(self, client, alice):
        child = alice.children[0]
        english(client)
        page = html(client, url("details", child))
        assert '<html lang="en">' in page
        for label in ("Demographics", "Date of birth", "Legal first name", "Grade 4"):
            assert label in page
        assert "21 August 2017" in page

    def test_address_and_the_in_person_rule(self, client, alice):
        child = alice.children[0]
        english(client)
        page = main_of(html(client, url("address", child)))
        assert "<address" in page
        for line in child.address_lines:
            assert escape(line) in page
        assert "must be made in person at your school" in page

    def test_contacts_never_show_a_guardian_whose_access_is_off(self, client, alice):
        child = alice.children[0]
        english(client)
        page = main_of(html(client, url("contacts", child)))
        assert "Alice Tremblay" in page
        assert "Marc Tremblay" in page and "613 555-0199" in page
        assert "Gontran" not in page and "gontran@example.com" not in page

    def test_contacts_of_one_child_are_not_the_others(self, client, alice):
        page = main_of(html(client, url("contacts", alice.children[1])))
        assert "Marc Tremblay" not in page

    def test_photo_page_and_file(self, client, alice):
        with_photo, without_photo = alice.children
        page = main_of(html(client, url("photo", with_photo)))
        assert f'src="{url("photo_file", with_photo)}"' in page
        response = client.get(url("photo_file", with_photo))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
        assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"

        english(client)
        assert "No photo on file." in html(client, url("photo", without_photo))
        assert client.get(url("photo_file", without_photo)).status_code == 404

    def test_photo_missing_from_storage_is_a_404_not_a_500(self, client, alice):
        child = alice.children[0]
        child.photo.storage.delete(child.photo.name)
        assert client.get(url("photo_file", child)).status_code == 404


def _rows(page: str) -> list[str]:
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


class TestAttendance:
    @pytest.fixture
    def child(self, alice):
        """Ten school days of records from 2 September: ABS, ABN p2, RET p1, SOR, …"""
        child = alice.children[0]
        AttendanceRecord.objects.filter(student=child).delete()
        famille_factories.school_life(child, attendance=30, sections=0)
        return child

    def test_whole_year_by_default_with_the_years_totals(self, client, child):
        page = main_of(html(client, url("attendance", child)))
        assert len(_rows(page)) == 30
        totals = selectors.attendance_totals(child, start=datetime.date(2026, 9, 2),
                                             end=datetime.date(2027, 6, 25))
        # 30 records cycling over 4 kinds: 8 full-day absences, 8 period absences, 7 lates.
        assert totals == {"days_absent": 8, "classes_missed": 8, "times_late": 7}
        figures = re.findall(r"<dd>(\d+)</dd>", page)
        assert figures == ["8", "8", "7"]
        assert "2 septembre 2026" in page

    def test_a_late_arrival_of_the_day_is_not_a_full_day(self, client, child):
        # The school records an arrival on the day, not in a period (absences.services).
        AttendanceRecord.objects.filter(student=child, code__code="RET").update(period=None)
        english(client)
        rows = _rows(main_of(html(client, url("attendance", child))))
        late = [row for row in rows if "RET" in row or "Late" in row]
        assert late and all("Full day" not in row for row in late)

    def test_a_month(self, client, child):
        page = main_of(html(client, url("attendance", child, periode="2026-10")))
        dates = re.findall(r"<td>(\d+ \w+ 2026)</td>", page)
        assert dates and all(date.endswith("octobre 2026") for date in dates)
        assert len(_rows(page)) == 9  # school days of October among the first 30
        # The totals stay the year's, the same as the report card's.
        assert re.findall(r"<dd>(\d+)</dd>", page) == ["8", "8", "7"]

    def test_a_term(self, client, child):
        terms = selectors.school_timetable(child).terms
        page = main_of(html(client, url("attendance", child, periode=f"etape-{terms[1].pk}")))
        assert "1er février 2027" in page  # the caption names the term's dates
        assert "<tbody>" not in page and 'class="empty-state"' in page

    @pytest.mark.parametrize("periode", ["2025-01", "2027-07", "13-2026", "etape-999999",
                                         "<script>alert(1)</script>", "2026-10' OR 1=1"])
    def test_a_period_outside_the_year_shows_the_whole_year_and_says_so(self, client, child,
                                                                        periode):
        english(client)
        response = client.get(url("attendance", child), {"periode": periode})
        assert response.status_code == 200
        page = main_of(response.content.decode())
        assert "This period is not part of the school year: the whole year is shown." in page
        assert len(_rows(page)) == 30
        assert "<script>alert" not in page

    def test_a_period_outside_the_year_in_french_is_a_french_page(self, client, child):
        response = client.get(url("attendance", child), {"periode": "2025-01"})
        page = response.content.decode()
        assert response.status_code == 200 and '<html lang="fr">' in page
        assert 'class="errorlist"' in page

    def test_each_row_shows_date_full_day_or_period_code_and_reason(self, client, child):
        english(client)
        page = main_of(html(client, url("attendance", child, periode="2026-09")))
        rows = {re.search(r"<td>(.*?)</td>", row).group(1): row for row in _rows(page)}
        full_day, period, late = (rows["2 September 2026"], rows["3 September 2026"],
                                  rows["4 September 2026"])
        assert "Full day" in full_day and "Excused absence" in full_day
        assert "Rendez-vous médical" in full_day
        assert "Period 2" in period and "Unexcused absence" in period
        assert "Late (10 min)" in late and "Autobus" in late

    def test_code_labels_in_french_by_default(self, client, child):
        page = main_of(html(client, url("attendance", child, periode="2026-09")))
        assert "Absence motivée" in page and "Excused absence" not in page

    def test_empty_month(self, client, child):
        english(client)
        page = main_of(html(client, url("attendance", child, periode="2027-05")))
        assert "Nothing recorded from 1 May 2027 to 31 May 2027." in page


class TestTimetable:
    def test_week_grid_of_the_current_term(self, client, alice):
        child = alice.children[0]
        AttendanceRecord.objects.all().delete()
        english(client)
        page = main_of(html(client, url("timetable", child)))
        headers = re.findall(r'<th scope="col">(.*?)</th>', page)
        assert headers == ["Period", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
        rows = _rows(page)
        assert len(rows) == 1  # one S1 section at period 1 (the other is in S2)
        cells = re.findall(r"<td>(.*?)</td>", rows[0], flags=re.S)
        assert len(cells) == 5
        for cell in cells:
            assert "MAT00" in cell and "Mathematics 0" in cell
            assert "Mme Enseignante 0" in cell and "Room 100" in cell
        assert "8:15 a.m.\xa0– 9:30 a.m." in rows[0]
        assert "MAT01" not in page

    def test_a_class_at_other_times_and_in_its_own_room(self, client, alice):
        child = alice.children[0]
        Meeting.objects.filter(section__course__code="MAT00", day=Meeting.Day.WEDNESDAY).update(
            start_time=datetime.time(9), end_time=datetime.time(10), room="Gymnase")
        english(client)
        [row] = _rows(main_of(html(client, url("timetable", child))))
        cells = re.findall(r"<td>(.*?)</td>", row, flags=re.S)
        # The period's times: Monday's class.
        assert "8:15 a.m.\xa0– 9:30 a.m." in row.split("<td>")[0]
        assert "9 a.m.\xa0– 10 a.m." in cells[2] and "Room Gymnase" in cells[2]
        assert "Room 100" not in cells[2]
        assert "timetable__time" not in cells[0] and "Room 100" in cells[0]

    def test_course_titles_in_french_by_default(self, client, alice):
        page = main_of(html(client, url("timetable", alice.children[0])))
        assert "Mathématiques 0" in page and "Mathematics 0" not in page
        assert "8\xa0h\xa015\xa0– 9\xa0h\xa030" in page  # French times, Canadian style
        assert re.search(r"<h3 id=\"timetable-heading\">[^<]*2 septembre 2026", page)

    def test_choosing_a_term(self, client, alice):
        child = alice.children[0]
        s1, s2 = child.school.terms.order_by("start_date")
        page = main_of(html(client, url("timetable", child, etape=s2.pk)))
        assert "MAT01" in page and "MAT00" not in page
        term_tabs = nav(page, french("Terms"))
        assert re.findall(r'href="([^"]+)" aria-current="page"', term_tabs) == [
            f"?etape={s2.pk}"]

    def test_a_full_year_term_is_not_offered_twice_among_assiduites_periods(self, client,
                                                                          alice):
        child = alice.children[0]
        s1, s2 = child.school.terms.order_by("start_date")
        # The school typed the code in lower case, with a space: it is still the full year.
        s1.code, s1.name = "an ", "Année scolaire"
        s1.save()
        english(client)
        page = main_of(html(client, url("attendance", child)))
        options = re.findall(r"<option[^>]*>([^<]*)</option>", page)
        assert options[:3] == ["Whole school year", "Semester 2", "September 2026"]

    def test_usual_terms_in_the_pages_language_another_as_the_school_named_it(
            self, client, alice):
        child = alice.children[0]
        s1, s2 = child.school.terms.order_by("start_date")
        s2.code, s2.name = "H", "Session d'hiver"
        s2.save()
        english(client)
        page = main_of(html(client, url("timetable", child)))
        assert "Semestre" not in page
        assert ">Semester 1</a>" in page and "Week timetable, Semester 1 (" in page
        assert ">Session d&#x27;hiver</a>" in page
        attendance = main_of(html(client, url("attendance", child)))
        assert ">Semester 1</option>" in attendance and "Semestre" not in attendance

    def test_another_schools_term_is_ignored(self, client, alice):
        first, second = alice.children
        elsewhere = second.school.terms.order_by("start_date").last()
        page = main_of(html(client, url("timetable", first, etape=elsewhere.pk)))
        assert "MAT00" in page and "MAT01" not in page

    def test_many_sections_fill_the_grid_by_period(self, client, family):
        famille_factories.school_life(family.children[0], sections=12)
        client.force_login(family.user)
        english(client)
        page = main_of(html(client, url("timetable", family.children[0])))
        rows = _rows(page)
        assert len(rows) == 6  # the 6 sections of semester 1, one period each
        for number, row in enumerate(rows, start=1):
            assert f"Period {number}" in row
            assert row.count(f"MAT{2 * (number - 1):02d}") == 5

    def test_not_shown_before_the_publication_date(self, client, alice):
        child = alice.children[0]
        TimetablePublication.objects.filter(school=child.school).update(
            published_on=datetime.date(2026, 12, 1))
        page = main_of(html(client, url("timetable", child)))
        assert "1er décembre 2026" in page
        assert "MAT00" not in page and "<table" not in page
        assert 'id="calendar-heading"' not in page  # no calendar link before publication

    def test_not_shown_without_a_publication(self, client, alice):
        child = alice.children[0]
        TimetablePublication.objects.filter(school=child.school).delete()
        english(client)
        page = main_of(html(client, url("timetable", child)))
        assert "has not published this year's timetable yet" in page
        assert "MAT00" not in page

    def test_shown_from_the_publication_day(self, client, alice):
        child = alice.children[0]
        TimetablePublication.objects.filter(school=child.school).update(
            published_on=famille_factories.TODAY)
        assert "MAT00" in html(client, url("timetable", child))


class TestEnrolments:
    def test_history_across_the_boards_schools(self, client, alice):
        child = alice.children[0]
        page = main_of(html(client, url("enrolments", child)))
        rows = _rows(page)
        assert len(rows) == 2
        current, previous = rows
        assert escape(child.school.name) in current and "2 septembre 2026" in current
        assert "Transfert d&#x27;une école du Conseil" in current
        assert "École précédente de" in previous
        assert "2 septembre 2025" in previous and "Nouvelle inscription" in previous
        assert "26 juin 2026" in previous and "Déménagement" in previous

    def test_in_english(self, client, alice):
        english(client)
        page = html(client, url("enrolments", alice.children[0]))
        for label in ("Enrolment history", "Entry", "Withdrawal", "26 June 2026"):
            assert label in page


@pytest.mark.parametrize("name", CHILD_PAGES)
def test_every_page_in_both_languages(client, alice, name):
    child = alice.children[0]
    assert '<html lang="fr">' in html(client, url(name, child))
    english(client)
    page = html(client, url(name, child))
    assert '<html lang="en">' in page
    assert re.search(r"<title>\w", page)
    for label in ("Details", "Timetable", "Enrolment history"):
        assert f">{label}</a>" in page


@pytest.mark.parametrize("name", CHILD_PAGES)
def test_a_childs_pages_are_kept_by_no_cache(client, alice, name):
    # On a shared computer, Back after logging out must not show them again.
    response = client.get(url(name, alice.children[0]))
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert {"private", "no-store"} <= set(client.get("/")["Cache-Control"].split(", "))


# --- A fixed number of queries, whatever the family's size -------------------------------

# Session and user, then one query for the student and the other children (the child
# switcher), then what each page reads. The same bound must hold for 1 child, 3 records
# and 2 sections as for 5 children, 300 records and 12 sections. The timetable pages are
# measured on a first visit: the year, the terms and the grid, which later come from the
# cache (tests/students/test_timetable_cache.py).
QUERY_BOUNDS = {
    "family": 3, "details": 3, "address": 3, "contacts": 4, "photo": 3, "photo_file": 3,
    # Assiduité: + whether the parent may report, and the guardians' reports (absences);
    # the records shown and the year's totals come from one query.
    "attendance": 8, "forms": 6, "form_answer": 6, "timetable": 6, "calendar": 6, "enrolments": 4,
    # Logged in here, so session and user too; then the link, its owner's access, the
    # year, the terms with the publication date, each term's meetings and the school's days
    # without school.
    "calendar_feed": 9,
}
SIZES = {"small": (1, 3, 2), "large": (5, 300, 12)}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", QUERY_BOUNDS)
def test_query_count_does_not_grow(client, django_assert_max_num_queries, name, size):
    children, records, sections = SIZES[size]
    family = factories.make_family(last_name="Tremblay", parent_first_name="Alice",
                                   children=children)
    famille_factories.furnish_family(family, attendance=records, sections=sections)
    child = family.children[0]
    for extra in family.children[1:]:
        famille_factories.give_photo(extra)
    parent_form = famille_factories.ParentFormFactory()
    famille_factories.ParentFormResponseFactory(form=famille_factories.ParentFormFactory(),
                                                student=child, answered_by=family.user)
    feed = famille_factories.CalendarFeedFactory(user=family.user, student=child)
    client.force_login(family.user)
    html(client, url("details", child))  # The session's first-visit writes happen here.
    if name == "family":
        path = reverse("students:family")
    elif name == "form_answer":
        path = reverse("students:form_answer", kwargs={"public_id": child.public_id,
                                                        "form_id": parent_form.public_id})
    elif name == "calendar_feed":
        path = reverse("students:calendar_feed", kwargs={"token": feed.token})
    else:
        path = url(name, child)

    with django_assert_max_num_queries(QUERY_BOUNDS[name]):
        response = client.get(path)
        if name == "photo_file":
            b"".join(response.streaming_content)
    if name == "family" and children == 1:
        assert response.status_code == 302  # straight to the only child
        return
    assert response.status_code == 200
    if name == "family":
        assert response.content.decode().count('<img class="child-card__photo"') == children
