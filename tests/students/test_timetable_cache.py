"""Emploi du temps from the cache: the grid is read once, and what staff change shows on the
parent's next page, never another child's grid or another language's."""

import datetime
import socket
import threading

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from students import models, timetable_cache
from students.timetable_cache import VERSION_KEY as TIMETABLE_VERSION_KEY
from tests import factories
from tests.students import famille_factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("famille_today")]


@pytest.fixture
def alice(client, family):
    """Alice, logged in; her first child has one class in semester 1 (MAT00, room 100)."""
    famille_factories.furnish_family(family)
    client.force_login(family.user)
    return family


def timetable(client, child) -> str:
    response = client.get(reverse("students:timetable", kwargs={"public_id": child.public_id}))
    assert response.status_code == 200
    return response.content.decode()


def cached_timetable(client, child) -> str:
    """The page, once its grid is in the cache: the first visit only starts a version."""
    timetable(client, child)
    return timetable(client, child)


def main(page: str) -> str:
    return page[page.index('<main id="main"'):page.index("</main>")]


def first_section(child) -> models.Section:
    return models.Section.objects.get(enrolments__student=child, term__code="S1")


def test_a_cached_visit_reads_no_timetable_row(client, alice, django_assert_max_num_queries):
    child = alice.children[0]
    first = cached_timetable(client, child)
    # Session (unless Redis keeps it), user, and the child with the others for the
    # switcher: nothing else.
    with django_assert_max_num_queries(3) as queries:
        again = timetable(client, child)
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    for table in ("students_schoolyear", "students_term", "students_meeting"):
        assert table not in tables
    assert "MAT00" in again and "Salle 100" in again
    assert main(again) == main(first)


def _move_the_class(section: models.Section) -> None:
    section.room = "214"
    section.save()


def _rename_the_course(section: models.Section) -> None:
    section.course.title_fr = "Algèbre"
    section.course.save()


def _change_teacher(section: models.Section) -> None:
    section.teacher_name = "M. Remplaçant"
    section.save()


def _move_a_meeting(section: models.Section) -> None:
    meeting = section.meetings.get(day=models.Meeting.Day.MONDAY)
    meeting.room = "Gymnase"
    meeting.save()


def _rename_the_term(section: models.Section) -> None:
    # A code of the school's own: the usual ones (S1…) show their names in the page's language.
    section.term.code, section.term.name = "P1", "Premier semestre"
    section.term.save()


CHANGES = {
    "section's room": (_move_the_class, "Salle 214"),
    "course title": (_rename_the_course, "Algèbre"),
    "teacher": (_change_teacher, "M. Remplaçant"),
    "one meeting's room": (_move_a_meeting, "Salle Gymnase"),
    "term name": (_rename_the_term, "Premier semestre"),
}


# Saved as staff save: each change commits (the retirement runs after the commit).
committed = pytest.mark.django_db(transaction=True)


@committed
@pytest.mark.parametrize("change", CHANGES)
def test_a_staff_change_shows_on_the_next_page(client, alice, change):
    child = alice.children[0]
    cached_timetable(client, child)
    make_change, shown = CHANGES[change]
    make_change(first_section(child))
    for _visit in range(2):  # the first starts a new version, the second reads under it
        assert shown in timetable(client, child)


@committed
def test_assiduite_s_list_of_periods_shows_the_choice_and_follows_the_terms(client, alice):
    """Assiduité keeps the list's HTML per school under the terms' version (absences.views:
    period_key): each page still shows its own choice, and a renamed term at once."""
    child = alice.children[0]
    path = reverse("students:attendance", kwargs={"public_id": child.public_id})

    def attendance(**query) -> str:
        response = client.get(path, query)
        assert response.status_code == 200
        return response.content.decode()

    october = 'value="2026-10" selected'
    attendance()  # the first visit only starts a version
    assert october not in attendance()
    assert october in attendance(periode="2026-10")
    assert october not in attendance()
    _rename_the_term(first_section(child))
    for _visit in range(2):  # the first starts a new version, the second reads under it
        assert "Premier semestre" in attendance()


@committed
def test_a_new_class_and_a_dropped_class_show_on_the_next_page(client, alice):
    child = alice.children[0]
    section = first_section(child)
    other = factories.SectionFactory(
        course=factories.CourseFactory(code="FRA1D", title_fr="Français"),
        term=section.term, school=section.school)
    models.Meeting.objects.create(section=other, day=models.Meeting.Day.FRIDAY, period=3,
                                  start_time=datetime.time(11, 40),
                                  end_time=datetime.time(12, 55))
    cached_timetable(client, child)
    models.SectionEnrolment.objects.create(student=child, section=other)
    assert "FRA1D" in timetable(client, child)

    models.SectionEnrolment.objects.filter(student=child, section=section).delete()
    page = timetable(client, child)
    assert "MAT00" not in page and "FRA1D" in page


@committed
def test_a_publication_moved_later_hides_the_grid_again(client, alice):
    child = alice.children[0]
    cached_timetable(client, child)
    publication = models.TimetablePublication.objects.get(school=child.school)
    publication.published_on = datetime.date(2026, 12, 7)
    publication.save()
    page = timetable(client, child)
    assert "MAT00" not in page and "7 décembre 2026" in page


def _instances(section: models.Section) -> dict:
    term = section.term
    return {
        "SchoolYear": term.school_year, "Term": term,
        "TimetablePublication": models.TimetablePublication.objects.get(
            school=term.school, school_year=term.school_year),
        "Course": section.course, "Section": section,
        "SectionEnrolment": section.enrolments.first(), "Meeting": section.meetings.first(),
    }


# Every table the timetable pages show something of.
TIMETABLE_TABLES = [models.SchoolYear, models.Term, models.TimetablePublication, models.Course,
                    models.Section, models.SectionEnrolment, models.Meeting]


@committed
@pytest.mark.parametrize("model", TIMETABLE_TABLES, ids=lambda m: m.__name__)
def test_every_timetable_table_retires_the_cache_once_committed(
    client, alice, model, django_capture_on_commit_callbacks
):
    child = alice.children[0]
    cached_timetable(client, child)
    version = cache.get(TIMETABLE_VERSION_KEY)
    instance = _instances(first_section(child))[model.__name__]
    with transaction.atomic(), django_capture_on_commit_callbacks() as callbacks:
        instance.save()
        instance.save()
        # Not before the commit: a page rendered now would keep the old rows under a
        # version that outlives the transaction. And once, however many rows change.
        assert cache.get(TIMETABLE_VERSION_KEY) == version
    assert [type(callback) for callback in callbacks] == [timetable_cache.Retirement]
    assert cache.get(TIMETABLE_VERSION_KEY) is None
    if model not in (models.SchoolYear, models.Term, models.Course):  # others protect them
        cached_timetable(client, child)
        instance.delete()
        assert cache.get(TIMETABLE_VERSION_KEY) is None


@committed
def test_a_rolled_back_change_does_not_keep_the_next_one_from_retiring_the_cache(client,
                                                                              alice):
    child = alice.children[0]
    cached_timetable(client, child)
    section = first_section(child)
    with pytest.raises(RuntimeError), transaction.atomic():
        section.save()
        raise RuntimeError("the staff member's save failed")
    assert cache.get(TIMETABLE_VERSION_KEY) is not None  # nothing committed, nothing retired

    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back
            section.save()
            raise RuntimeError("one row of the import failed")
        _move_the_class(section)
    assert "Salle 214" in timetable(client, child)


def test_each_child_has_their_own_grid(client, family):
    """Two children at the same school, in different classes: never the other's grid."""
    first, second = family.children
    second.school = first.school
    second.save()
    famille_factories.school_life(first, sections=2)
    famille_factories.school_life(second, sections=4)
    # The second child's semester-1 classes only: MAT02 (and MAT00, which both share).
    models.SectionEnrolment.objects.filter(student=second, section__course__code="MAT00"
                                           ).delete()
    client.force_login(family.user)
    assert "MAT00" in cached_timetable(client, first)
    page = timetable(client, second)
    assert "MAT02" in page and "MAT00" not in page


def test_each_language_has_its_own_grid(client, alice, settings):
    child = alice.children[0]
    assert "Mathématiques 0" in cached_timetable(client, child)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = timetable(client, child)
    assert "Mathematics 0" in page and "Mathématiques 0" not in page
    assert "Room 100" in page


def test_each_term_has_its_own_grid(client, alice):
    child = alice.children[0]
    second_term = child.school.terms.get(code="S2")
    assert "MAT00" in cached_timetable(client, child)
    response = client.get(reverse("students:timetable", kwargs={"public_id": child.public_id}),
                          {"etape": second_term.pk})
    page = response.content.decode()
    assert "MAT01" in page and "MAT00" not in page


def _redis_settings(settings, port: int) -> None:
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "portail.cache.FailOpenRedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2,
                    "IGNORE_EXCEPTIONS": True},
    }}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


def test_without_redis_the_timetable_is_still_shown(client, alice, settings):
    """Redis refuses connections: every read misses, the page reads the rows itself."""
    _redis_settings(settings, 9)  # the discard port: nothing listens
    child = alice.children[0]
    for _visit in range(2):
        page = timetable(client, child)
        assert "MAT00" in page and "Salle 100" in page


@pytest.fixture
def silent_redis():
    """A server that accepts connections and never answers (a Redis that hangs); it counts
    the connections, one per command the client gives up on."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def accept():
        while True:
            try:
                connection, _address = listener.accept()
            except OSError:
                return
            accepted.append(connection)

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1], accepted
    listener.close()
    for connection in accepted:
        connection.close()


def test_a_redis_that_hangs_costs_the_timetable_two_waits(client, alice, settings,
                                                          silent_redis):
    port, accepted = silent_redis
    _redis_settings(settings, port)
    child = alice.children[0]
    page = timetable(client, child)
    assert "MAT00" in page
    # The version and terms (one read), then a new version (one write); nothing else
    # waits for the cache, however many reads and writes the page would otherwise make.
    assert len(accepted) == 2


def test_the_grid_escapes_what_staff_typed(client, alice):
    """The grid's cells are written in Python (students.templatetags): what staff typed
    shows as typed, never as markup."""
    child = alice.children[0]
    section = first_section(child)
    section.room, section.teacher_name = "<b>214</b>", "M. & Mme Tremblay"
    section.save()
    page = timetable(client, child)
    assert "Salle &lt;b&gt;214&lt;/b&gt;" in page and "M. &amp; Mme Tremblay" in page
    assert "<b>214" not in page
