"""What staff enter: a result by its course code, credits of 0, 0.5 or 1, programmes whose
every category some course satisfies. Bad input is refused with the reason, in French,
and nothing is saved."""

import datetime

import pytest
from django.urls import reverse

from diplomas.models import Category, CategoryCap, DiplomaRecord, Programme
from students import models
from tests import factories
from tests.pages import french, html_of
from tests.staff import BOARD_ADMINISTRATION, make_staff, staff_login
from tests.students.test_admin import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("programmes")]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def board_client(client, db):
    # A course for each category of the CESO: a programme is checked against the catalogue.
    for code in ("FRA1D", "CGC1W", "MTH1W", "SNC1W", "PPL1O", "AVI1O"):
        factories.CourseFactory(code=code)
    return staff_login(client, make_staff("conseil", board_level=True,
                                          group=BOARD_ADMINISTRATION))


@pytest.fixture
def result_form(secretary_client, family):
    student = family.children[1]
    factories.CourseFactory(code="MPM2D", title_fr="Principes de mathématiques")
    data = form_data(secretary_client.get(url(models.CourseResult, "add")), "courseresult_form")
    data.update(student=str(student.pk), course="mpm2d ", school=str(student.school.pk),
                school_year=str(factories.SchoolYearFactory().pk), mark="71",
                credit_earned="1", kind="course")
    return data


@pytest.fixture
def secretary_client(client, secretary):
    return staff_login(client, secretary)


def test_a_result_is_entered_by_its_course_code(secretary_client, result_form):
    response = secretary_client.post(url(models.CourseResult, "add"), result_form)
    assert response.status_code == 302
    assert models.CourseResult.objects.get().course.code == "MPM2D"


def test_an_unknown_course_code_is_refused(secretary_client, result_form):
    result_form["course"] = "XYZ9Z"
    page = html_of(secretary_client.post(url(models.CourseResult, "add"), result_form))
    assert (french("No course has the code %(value)s: check the code, or add the course "
                   "first.") % {"value": "XYZ9Z"}) in page
    assert not models.CourseResult.objects.exists()


@pytest.mark.parametrize("credit", ["2", "0.7", "-0.5"])
def test_a_credit_other_than_0_half_or_1_is_refused(secretary_client, result_form, credit):
    result_form["credit_earned"] = credit
    page = html_of(secretary_client.post(url(models.CourseResult, "add"), result_form))
    assert french("A credit earned is 0, 0.5 or 1.") in page
    assert not models.CourseResult.objects.exists()


def programme_form(client, programme: Programme) -> dict:
    return form_data(client.get(url(Programme, "change", programme.pk)), "programme_form")


def test_the_board_changes_a_programme(board_client):
    ceso = Programme.objects.get(code="ceso")
    data = programme_form(board_client, ceso)
    data["community_hours"] = "10"
    assert board_client.post(url(Programme, "change", ceso.pk), data).status_code == 302
    ceso.refresh_from_db()
    assert ceso.community_hours == 10


def test_a_category_no_course_satisfies_is_refused(board_client):
    ceso = Programme.objects.get(code="ceso")
    data = programme_form(board_client, ceso)
    french_row = next(key.split("-")[1] for key, value in data.items()
                      if key.endswith("-name_fr") and value == ["Français"])
    data[f"categories-{french_row}-patterns"] = "ZZZ"
    page = html_of(board_client.post(url(Programme, "change", ceso.pk), data))
    assert french("No course of the catalogue satisfies this category: give course codes or "
                  "code beginnings, or subject groups, that match courses.") in page
    assert Category.objects.get(programme=ceso, name_fr="Français").patterns == "FRA"

    data[f"categories-{french_row}-patterns"] = "FRA?D"  # FRA1D
    assert board_client.post(url(Programme, "change", ceso.pk), data).status_code == 302


def test_categories_must_add_up_to_the_programmes_credits(board_client):
    ceso = Programme.objects.get(code="ceso")
    data = programme_form(board_client, ceso)
    data["total_credits"] = "15"
    page = html_of(board_client.post(url(Programme, "change", ceso.pk), data))
    assert french("The categories add up to %(sum)s credits, the programme requires "
                  "%(total)s: they must be equal.") % {"sum": "14.0", "total": "15"} in page
    ceso.refresh_from_db()
    assert ceso.total_credits == 14


def test_a_pattern_with_other_characters_is_refused(board_client):
    ceso = Programme.objects.get(code="ceso")
    data = programme_form(board_client, ceso)
    data["literacy_courses"] = "CCL4O; DROP"
    page = html_of(board_client.post(url(Programme, "change", ceso.pk), data))
    assert french("Not a course code or code beginning: %(tokens)s. Use capital letters, "
                  "digits and ?, up to 6 characters.") % {"tokens": "CCL4O;"} in page
    assert Programme.objects.get(code="ceso").literacy_courses == ""


def category_row(data: dict, name_fr: str) -> str:
    return next(key.split("-")[1] for key, value in data.items()
                if key.endswith("-name_fr") and value == [name_fr])


@pytest.mark.parametrize(("slots", "message"), [
    ("1,5", ("Not grade slots: %(value)s. Write each slot's grades as 1 (Grade 9) to 4 "
             "(Grade 12), slots separated by commas: 1,2,34.", {"value": "1,5"})),
    ("11,2", ("Not grade slots: %(value)s. Write each slot's grades as 1 (Grade 9) to 4 "
              "(Grade 12), slots separated by commas: 1,2,34.", {"value": "11,2"})),
    ("1,2,34", ("%(slots)s grade slots for %(credits)s credits: give one slot per credit.",
                {"slots": 3, "credits": "2"})),
])
def test_grade_slots_that_are_malformed_or_do_not_add_up_are_refused(board_client, slots,
                                                                     message):
    ceso = Programme.objects.get(code="ceso")
    data = programme_form(board_client, ceso)
    data[f"categories-{category_row(data, 'Français')}-grade_slots"] = slots
    page = html_of(board_client.post(url(Programme, "change", ceso.pk), data))
    msgid, params = message
    assert french(msgid) % params in page
    assert Category.objects.get(programme=ceso, name_fr="Français").grade_slots == ""


def test_grade_slots_are_saved_in_order(board_client):
    ceso = Programme.objects.get(code="ceso")
    data = programme_form(board_client, ceso)
    data[f"categories-{category_row(data, 'Français')}-grade_slots"] = "43, 1"
    assert board_client.post(url(Programme, "change", ceso.pk), data).status_code == 302
    assert Category.objects.get(programme=ceso, name_fr="Français").grade_slots == "34,1"


def cap_data(data: dict, **fields) -> dict:
    data["caps-TOTAL_FORMS"] = ["1"]
    data.update({f"caps-0-{name}": value for name, value in fields.items()})
    return data


@pytest.mark.parametrize("case", ["no category", "no course"])
def test_a_cap_that_applies_to_nothing_is_refused(board_client, case):
    ceso = Programme.objects.get(code="ceso")
    french_category = Category.objects.get(programme=ceso, name_fr="Français")
    data = cap_data(programme_form(board_client, ceso), name_fr="Langues",
                    name_en="Languages", credits="1",
                    patterns="FRA" if case == "no category" else "ZZZ",
                    categories=[] if case == "no category" else [str(french_category.pk)])
    page = html_of(board_client.post(url(Programme, "change", ceso.pk), data))
    assert french("This limit applies to nothing: choose the categories it limits, and "
                  "course codes or code beginnings that match courses of the catalogue.") in page
    assert not CategoryCap.objects.filter(programme=ceso).exists()


def test_the_board_caps_credits_across_categories_of_the_programme_only(board_client):
    ceso = Programme.objects.get(code="ceso")
    data = programme_form(board_client, ceso)
    page = html_of(board_client.get(url(Programme, "change", ceso.pk)))
    other = Category.objects.get(programme__code="deso-2024", name_fr="Français")
    assert f'value="{other.pk}"' not in page.split('id="caps-group"')[1]
    french_category = Category.objects.get(programme=ceso, name_fr="Français")
    data = cap_data(data, name_fr="Langues", name_en="Languages", credits="1",
                    patterns="FRA", categories=[str(french_category.pk)])
    assert board_client.post(url(Programme, "change", ceso.pk), data).status_code == 302
    cap = CategoryCap.objects.get(programme=ceso)
    assert list(cap.categories.all()) == [french_category]


def test_a_secretary_records_hours_for_a_student_of_their_school(secretary_client, family):
    student = family.children[1]
    data = form_data(secretary_client.get(url(DiplomaRecord, "add")), "diplomarecord_form")
    data.update(student=str(student.pk), community_hours="12.5",
                literacy_test_passed_on=datetime.date(2026, 3, 31).isoformat())
    assert secretary_client.post(url(DiplomaRecord, "add"), data).status_code == 302
    record = DiplomaRecord.objects.get(student=student)
    assert record.community_hours == 12.5 and record.programme is None
