"""Emploi du temps from the cache: the grid is read once, and what staff change shows on the
parent's next page, never another child's grid or another language's."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from students import models, services
from tests import factories
from tests.students import famille_factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with famille_factories.frozen_today():
        yield


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


def main(page: str) -> str:
    return page[page.index('<main id="main"'):page.index("</main>")]


def first_section(child) -> models.Section:
    return models.Section.objects.get(enrolments__student=child, term__code="S1")


def test_a_second_visit_reads_no_timetable_row(client, alice, django_assert_max_num_queries):
    child = alice.children[0]
    first = timetable(client, child)
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
    section.term.name = "Premier semestre"
    section.term.save()


CHANGES = {
    "section's room": (_move_the_class, "Salle 214"),
    "course title": (_rename_the_course, "Algèbre"),
    "teacher": (_change_teacher, "M. Remplaçant"),
    "one meeting's room": (_move_a_meeting, "Salle Gymnase"),
    "term name": (_rename_the_term, "Premier semestre"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_staff_change_shows_on_the_next_page(client, alice,
                                               django_capture_on_commit_callbacks, change):
    child = alice.children[0]
    timetable(client, child)  # now cached
    make_change, shown = CHANGES[change]
    with django_capture_on_commit_callbacks(execute=True):
        make_change(first_section(child))
    assert shown in timetable(client, child)


def test_a_new_class_and_a_dropped_class_show_on_the_next_page(
        client, alice, django_capture_on_commit_callbacks):
    child = alice.children[0]
    timetable(client, child)
    section = first_section(child)
    other = factories.SectionFactory(
        course=factories.CourseFactory(code="FRA1D", title_fr="Français"),
        term=section.term, school=section.school)
    models.Meeting.objects.create(section=other, day=models.Meeting.Day.FRIDAY, period=3,
                                  start_time=datetime.time(11, 40),
                                  end_time=datetime.time(12, 55))
    with django_capture_on_commit_callbacks(execute=True):
        models.SectionEnrolment.objects.create(student=child, section=other)
    assert "FRA1D" in timetable(client, child)

    with django_capture_on_commit_callbacks(execute=True):
        models.SectionEnrolment.objects.filter(student=child, section=section).delete()
    page = timetable(client, child)
    assert "MAT00" not in page and "FRA1D" in page


def test_a_publication_moved_later_hides_the_grid_again(
        client, alice, django_capture_on_commit_callbacks):
    child = alice.children[0]
    timetable(client, child)
    publication = models.TimetablePublication.objects.get(school=child.school)
    publication.published_on = datetime.date(2026, 12, 7)
    with django_capture_on_commit_callbacks(execute=True):
        publication.save()
    page = timetable(client, child)
    assert "MAT00" not in page and "7 décembre 2026" in page


def test_the_cache_changes_only_once_the_change_is_committed(
        client, alice, django_capture_on_commit_callbacks):
    child = alice.children[0]
    timetable(client, child)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _move_the_class(first_section(child))
    # Not committed yet: a page rendered now must not store the new rows under a version
    # that outlives the transaction; the version changes with the commit.
    assert callbacks == [services.timetables_changed]
    assert "Salle 214" not in timetable(client, child)
    callbacks[0]()
    assert "Salle 214" in timetable(client, child)


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_retires_the_cached_grid(client, family):
    famille_factories.furnish_family(family)
    client.force_login(family.user)
    child = family.children[0]
    with famille_factories.frozen_today():
        timetable(client, child)
        with transaction.atomic():
            _move_the_class(first_section(child))
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
    assert "MAT00" in timetable(client, first)
    page = timetable(client, second)
    assert "MAT02" in page and "MAT00" not in page


def test_each_language_has_its_own_grid(client, alice, settings):
    child = alice.children[0]
    assert "Mathématiques 0" in timetable(client, child)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = timetable(client, child)
    assert "Mathematics 0" in page and "Mathématiques 0" not in page
    assert "Room 100" in page


def test_without_redis_the_timetable_is_still_shown(client, alice, settings):
    """Redis unreachable: every read misses, the page reads the rows itself."""
    settings.CACHES = {"default": {
        "BACKEND": "portail.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1,
                    "IGNORE_EXCEPTIONS": True},
    }}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    child = alice.children[0]
    for _visit in range(2):
        page = timetable(client, child)
        assert "MAT00" in page and "Salle 100" in page
