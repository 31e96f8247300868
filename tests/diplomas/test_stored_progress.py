"""The Relevé de notes pages read each student's stored row (StoredProgress): the database
outdates it in the transaction of any write to what the pages show, whoever writes
(save, queryset.update, bulk_create), and a visit that finds it outdated computes it again,
so that a page never shows stale figures; after commit a Celery task stores them first."""

import time
from decimal import Decimal

import pytest

from diplomas import selectors, services
from diplomas.models import Category, DiplomaRecord, Programme, StoredProgress, Waiver
from students import models
from tests.diplomas.history import course, give_history
from tests.diplomas.test_pages import diploma_url, figures, text_of, transcript_url
from tests.pages import french, html_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("famille_today")]


@pytest.fixture
def teen(family):
    child = family.children[1]
    give_history(child)
    return child


@pytest.fixture
def parent(client, family, teen):
    """A parent who has seen both pages once: the row is stored and fresh."""
    client.force_login(family.user)
    html_of(client.get(transcript_url(teen)))
    assert fresh(teen)
    return client


def fresh(student) -> bool:
    row = StoredProgress.objects.get(student=student)
    return row.computed_version == row.version


def overall(client, teen) -> list[str]:
    return figures(html_of(client.get(diploma_url(teen))), french("All credits"))


def test_a_new_mark_outdates_the_row_and_shows(parent, teen):
    result = models.CourseResult.objects.get(student=teen, course__code="AVI1O")
    result.mark = 63
    result.save()
    assert not fresh(teen)
    arts = html_of(parent.get(diploma_url(teen))).split(">Arts</h4>")[1].split("</section>")[0]
    assert "<td>63</td>" in arts and fresh(teen)


def test_a_bulk_update_without_signals_outdates_the_row(parent, teen):
    # queryset.update sends no signal: the trigger sees it all the same.
    models.CourseResult.objects.filter(student=teen, course__code="FRA2D").update(
        credit_earned=0, mark=40)
    assert not fresh(teen)
    assert overall(parent, teen) == ["30", "15", "4", "0", "15"]


def test_a_result_added_and_deleted_shows(parent, teen):
    year = models.SchoolYear.objects.get(name="2025-2026")
    added = models.CourseResult.objects.create(student=teen, course=course("PAF2O"),
                                               school=teen.school, school_year=year,
                                               mark=80, credit_earned=1)
    assert overall(parent, teen) == ["30", "17", "4", "0", "13"]
    added.delete()
    assert overall(parent, teen) == ["30", "16", "4", "0", "14"]


def test_this_years_classes_show(parent, teen):
    models.SectionEnrolment.objects.filter(student=teen,
                                           section__course__code="FRA3U").delete()
    assert not fresh(teen)
    assert overall(parent, teen) == ["30", "16", "3", "0", "14"]
    assert "FRA3U" not in html_of(parent.get(transcript_url(teen)))


def test_the_diploma_record_and_a_waiver_show(parent, teen):
    DiplomaRecord.objects.filter(student=teen).update(community_hours=40)
    assert not fresh(teen)
    page = text_of(html_of(parent.get(diploma_url(teen))))
    assert "hours of community involvement" not in page and "heures" not in page.split(
        french("Still needed to graduate:"))[1].split(".")[0]
    stem = Category.objects.get(programme__code="deso-2024", name_fr="STIM")
    Waiver.objects.create(record=DiplomaRecord.objects.get(student=teen), category=stem,
                          credits=Decimal(1), reason="Substitution")
    assert not fresh(teen)
    assert figures(html_of(parent.get(diploma_url(teen))), "STIM") == ["1", "0", "0", "1", "0"]


def test_a_programme_chosen_by_staff_shows(parent, teen):
    DiplomaRecord.objects.filter(student=teen).update(
        programme=Programme.objects.get(code="ceso"))
    assert not fresh(teen)
    assert overall(parent, teen) == ["14", "14", "0", "0", "0"]


def test_the_boards_edit_of_a_category_outdates_every_row(parent, teen, family):
    others = [child for child in family.children if child != teen]
    StoredProgress.objects.bulk_create(  # another student's row, fresh
        [StoredProgress(student=others[0], version=3, computed_version=3, data={})])
    Category.objects.filter(programme__code="deso-2024", name_fr="Mathématiques").update(
        credits=Decimal(4), grade_slots="1,2,34,34")
    assert not fresh(teen) and not fresh(others[0])
    assert figures(html_of(parent.get(diploma_url(teen))), "Mathématiques") == \
        ["4", "2", "1", "0", "2"]


def test_a_renamed_course_shows_but_an_unchanged_save_outdates_nothing(parent, teen):
    section = models.Section.objects.filter(enrolments__student=teen).first()
    section.room = "B-204"  # not shown: the row stays fresh
    section.save()
    models.School.objects.filter(pk=teen.school.pk).update(phone="6135550199")
    assert fresh(teen)
    models.Course.objects.filter(code="MCR3U").update(title_fr="Fonctions avancées")
    assert not fresh(teen)
    assert "Fonctions avancées" in html_of(parent.get(transcript_url(teen)))


def test_a_terms_new_code_shows(parent, teen):
    # The page names this year's classes' terms by their usual code (S1: Semestre 1),
    # else by the name the school typed.
    term = models.Term.objects.filter(sections__enrolments__student=teen).first()
    models.Term.objects.filter(pk=term.pk).update(name="Premier semestre")
    page = html_of(parent.get(transcript_url(teen)))
    assert french("Semester 1") in page and "Premier semestre" not in page
    assert fresh(teen)
    models.Term.objects.filter(pk=term.pk).update(code="P9")  # only the code changes
    assert not fresh(teen)
    page = html_of(parent.get(transcript_url(teen)))
    assert "Premier semestre" in page and french("Semester 1") not in page


def test_a_new_grade_changes_the_default_programme(parent, teen):
    teen.grade = 12  # entered Grade 9 in 2023: the earlier cohorts' DESO
    teen.save()
    assert not fresh(teen)
    deso_2023 = Programme.objects.get(code="deso-2023")
    assert deso_2023.name_fr in html_of(parent.get(transcript_url(teen)))


def test_a_row_of_another_school_year_is_not_shown(parent, teen):
    StoredProgress.objects.filter(student=teen).update(data={
        **StoredProgress.objects.get(student=teen).data, "school_year": None})
    assert selectors.stored_releve(teen) is None
    assert overall(parent, teen) == ["30", "16", "4", "0", "14"]
    assert selectors.stored_releve(teen) is not None


def test_a_row_stored_in_an_earlier_format_is_computed_again(parent, teen, monkeypatch):
    """A new engine rule or stored shape raises RELEVE_FORMAT: rows stored before it are
    neither shown nor taken as fresh by the task."""
    monkeypatch.setattr(selectors, "RELEVE_FORMAT", selectors.RELEVE_FORMAT + 1)
    assert selectors.stored_releve(teen) is None
    assert services.store_outdated() == 1
    assert selectors.stored_releve(teen).data["format"] == selectors.RELEVE_FORMAT


def test_a_write_while_the_row_is_computed_leaves_it_outdated(parent, teen, monkeypatch):
    """The row's version is read before the tables: what a write changes meanwhile is
    computed again on the next visit, never taken as fresh."""
    StoredProgress.objects.filter(student=teen).update(version=7)  # outdated
    read = selectors.student_record

    def read_then_written(student, programmes=None):
        record = read(student, programmes)
        models.CourseResult.objects.filter(student=teen, course__code="AVI1O").update(mark=55)
        return record

    monkeypatch.setattr(selectors, "student_record", read_then_written)
    services.store_releve(teen)
    assert not fresh(teen)
    monkeypatch.undo()
    assert "<td>55</td>" in html_of(parent.get(transcript_url(teen)))
    assert fresh(teen)


def test_store_outdated_stores_every_secondary_student_missing_or_outdated(family, teen):
    StoredProgress.objects.bulk_create([StoredProgress(student=family.children[0])])
    assert services.store_outdated() == 1  # the elementary child is not stored
    assert fresh(teen) and selectors.stored_releve(teen).programme is not None
    models.CourseResult.objects.filter(student=teen).update(mark=90)
    assert services.store_outdated() == 1 and fresh(teen)


@pytest.mark.django_db(transaction=True)
def test_after_commit_the_worker_stores_the_row_before_the_visit(teen, celery_worker_thread):
    services.store_outdated()
    result = models.CourseResult.objects.get(student=teen, course__code="AVI1O")
    result.mark = 66
    result.save()  # commits: the signal queues diplomas.tasks.store_outdated_releves
    deadline = time.monotonic() + 20
    while not fresh(teen) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert fresh(teen)
    rows = StoredProgress.objects.get(student=teen).data["results"]
    assert next(row for row in rows if row["code"] == "AVI1O")["mark"] == 66


def test_on_another_database_nothing_is_stored(parent, teen, monkeypatch):
    # Without the triggers (SQLite in development) the pages compute every time.
    monkeypatch.setattr(selectors, "stored_rows_trusted", lambda: False)
    StoredProgress.objects.all().delete()
    assert overall(parent, teen) == ["30", "16", "4", "0", "14"]
    assert not StoredProgress.objects.exists()
