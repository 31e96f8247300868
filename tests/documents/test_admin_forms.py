"""What a secretary types in the documents admin fits together: a period's kind fits its
school and its dates its school year; a report card's grade is the student's and one its
period's kind is for; a line's marks are those its report card uses (the rule publishing
checks, documents.selectors.line_marks)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from documents import selectors
from documents.models import ReportCard, ReportCardLine, ReportingPeriod
from portail.formats import long_date
from students.models import Grade
from tests import factories
from tests.documents.factories import make_card, make_period
from tests.pages import french, html_of

pytestmark = pytest.mark.django_db

Kind = ReportingPeriod.Kind


# --- Reporting periods ----------------------------------------------------------------------

def _period_data(school, **changes) -> dict:
    year = factories.SchoolYearFactory()
    return {"school": school.pk, "school_year": year.pk, "kind": Kind.ELEMENTARY_PROGRESS,
            "name": "Bulletin QA", "start_date": "2026-09-08", "end_date": "2026-11-08",
            "publication_date": "2026-11-15", **changes}


def _add_period(client, data: dict):
    return client.post(reverse("admin:documents_reportingperiod_add"), data)


def test_a_secondary_kind_is_refused_for_an_elementary_school(secretary_client, family):
    school = family.children[0].school
    response = _add_period(secretary_client, _period_data(school,
                                                          kind=Kind.SECONDARY_MIDTERM))
    with translation.override("fr"):
        kinds = [str(Kind(kind).label) for kind in (
            Kind.KINDERGARTEN, Kind.ELEMENTARY_PROGRESS, Kind.ELEMENTARY_PROVINCIAL)]
        expected = french(
            "This kind of report card is not for this school's grades. For a school of the "
            "%(level)s level, choose %(kinds)s.") % {
            "level": school.get_level_display().lower(),
            "kinds": f"{kinds[0]}, {kinds[1]} {french('or')} {kinds[2]}"}
    assert expected in html_of(response)
    assert not ReportingPeriod.objects.filter(name="Bulletin QA").exists()


def test_a_secondary_school_of_grades_7_to_12_may_give_elementary_report_cards(
        secretary_client, family):
    school = family.children[1].school
    assert _add_period(secretary_client, _period_data(
        school, kind=Kind.ELEMENTARY_PROVINCIAL)).status_code == 302
    assert ReportingPeriod.objects.get(name="Bulletin QA").school == school
    # Not a kindergarten's.
    response = _add_period(secretary_client, _period_data(school, kind=Kind.KINDERGARTEN,
                                                          name="Maternelle QA"))
    assert response.status_code == 200
    assert not ReportingPeriod.objects.filter(name="Maternelle QA").exists()


def test_dates_outside_the_school_year_are_refused(secretary_client, family):
    old_year = factories.SchoolYearFactory(name="2023-2024",
                                           start_date=datetime.date(2023, 9, 5),
                                           end_date=datetime.date(2024, 6, 28))
    response = _add_period(secretary_client, _period_data(family.children[0].school,
                                                          school_year=old_year.pk))
    page = html_of(response)
    with translation.override("fr"):
        expected = french("The school year %(year)s runs from %(start)s to %(end)s: this "
                          "date is outside it.") % {
            "year": old_year, "start": long_date(old_year.start_date),
            "end": long_date(old_year.end_date)}
    assert page.count(expected) == 2  # the start and the end
    assert not ReportingPeriod.objects.filter(name="Bulletin QA").exists()


def test_the_publication_date_cannot_come_before_the_end_date(secretary_client, family):
    response = _add_period(secretary_client, _period_data(
        family.children[0].school, end_date="2026-11-20", publication_date="2026-11-15"))
    assert french("The publication date cannot come before the end date.") in html_of(
        response)
    assert not ReportingPeriod.objects.filter(name="Bulletin QA").exists()


def test_a_period_that_fits_is_saved(secretary_client, family):
    response = _add_period(secretary_client, _period_data(family.children[0].school))
    assert response.status_code == 302
    period = ReportingPeriod.objects.get(name="Bulletin QA")
    assert (period.start_date, period.end_date, period.publication_date) == (
        datetime.date(2026, 9, 8), datetime.date(2026, 11, 8), datetime.date(2026, 11, 15))


def test_each_level_gives_the_kinds_for_its_grades():
    assert selectors.kinds_for_level("elementary") == [
        Kind.KINDERGARTEN, Kind.ELEMENTARY_PROGRESS, Kind.ELEMENTARY_PROVINCIAL]
    assert selectors.kinds_for_level("secondary") == [
        Kind.ELEMENTARY_PROGRESS, Kind.ELEMENTARY_PROVINCIAL, Kind.SECONDARY_MIDTERM,
        Kind.SECONDARY_FINAL]


# --- Report cards -------------------------------------------------------------------------

def _card_data(period, student, *, grade="", lines=()) -> dict:
    data = {"period": period.pk, "student": student.pk, "grade": grade,
            "teacher_name": "Mme Lavoie", "principal_name": "Mme Lalonde", "comments": ""}
    for prefix, count in (("lines", len(lines)), ("skills", 0), ("files", 0)):
        data.update({f"{prefix}-TOTAL_FORMS": count, f"{prefix}-INITIAL_FORMS": 0,
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    for index, line in enumerate(lines):
        data.update({f"lines-{index}-{name}": value
                     for name, value in {"order": index + 1, **line}.items()})
    return data


def _add_card(client, data: dict):
    return client.post(reverse("admin:documents_reportcard_add"), data)


def test_the_grade_left_empty_is_the_students(secretary_client, family):
    child = family.children[0]  # Grade 4
    period = make_period(kind=Kind.ELEMENTARY_PROGRESS, school=child.school)
    form = html_of(secretary_client.get(reverse("admin:documents_reportcard_add")))
    assert french("The student's grade") in form
    response = _add_card(secretary_client, _card_data(period, child, lines=[
        {"subject": "Français", "progress": "well"}]))
    assert response.status_code == 302
    assert ReportCard.objects.get(period=period, student=child).grade == 4


def test_a_kindergarten_child_gets_no_elementary_progress_report(secretary_client, family):
    school = family.children[0].school
    child = factories.StudentFactory(school=school, grade=Grade.SENIOR_KINDERGARTEN)
    period = make_period(kind=Kind.ELEMENTARY_PROGRESS, school=school)
    response = _add_card(secretary_client, _card_data(period, child, lines=[
        {"subject": "Français", "progress": "well"}]))
    page = html_of(response)
    with translation.override("fr"):
        expected = (french("The report cards of this period (%(kind)s) are for %(first)s to "
                           "%(last)s only.") % {
            "kind": period.get_kind_display(), "first": Grade.GRADE_1.label,
            "last": Grade.GRADE_8.label}
            + " " + french("%(student)s is in %(grade)s.") % {
                "student": child, "grade": Grade.SENIOR_KINDERGARTEN.label})
    assert expected in page
    assert not ReportCard.objects.filter(student=child).exists()


def test_a_grade_the_periods_kind_is_not_for_is_refused(secretary_client, family):
    child = family.children[0]
    period = make_period(kind=Kind.ELEMENTARY_PROGRESS, school=child.school)
    response = _add_card(secretary_client, _card_data(period, child, grade=11))
    with translation.override("fr"):
        expected = french("The report cards of this period (%(kind)s) are for %(first)s to "
                          "%(last)s only.") % {
            "kind": period.get_kind_display(), "first": Grade.GRADE_1.label,
            "last": Grade.GRADE_8.label}
    assert expected in html_of(response)
    assert not ReportCard.objects.filter(student=child).exists()


def test_a_percentage_on_a_letter_grade_report_is_refused_with_what_it_uses(
        secretary_client, family):
    child = family.children[0]  # Grade 4: letter grades
    period = make_period(kind=Kind.ELEMENTARY_PROVINCIAL, school=child.school)
    response = _add_card(secretary_client, _card_data(period, child, lines=[
        {"subject": "Mathématiques", "percentage": 95, "course_median": 70}]))
    page = html_of(response)
    with translation.override("fr"):
        for given in ("the percentage mark", "the course median"):
            assert french("This report card uses %(used)s, not %(given)s.") % {
                "used": french("the letter grade"), "given": french(given)} in page
    assert not ReportCard.objects.filter(student=child).exists()
    assert not ReportCardLine.objects.filter(subject="Mathématiques").exists()


def test_a_lines_marks_are_checked_on_an_existing_card_too(secretary_client, family):
    child = family.children[1]  # Grade 10
    period = make_period(kind=Kind.SECONDARY_FINAL, school=child.school)
    card = make_card(period, child, lines=1)
    line = card.lines.get()
    data = _card_data(period, child, grade=card.grade)
    data.update({"lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 1, "lines-0-id": line.pk,
                 "lines-0-card": card.pk, "lines-0-order": 1, "lines-0-subject": line.subject,
                 "lines-0-percentage": "", "lines-0-letter_grade": "I",
                 "lines-0-course_median": 74, "lines-0-credit_earned": "0",
                 "lines-0-progress": "very_well"})
    url = reverse("admin:documents_reportcard_change", args=[card.pk])
    page = html_of(secretary_client.post(url, data))
    with translation.override("fr"):
        assert french("This report card uses %(used)s, not %(given)s.") % {
            "used": french("the percentage mark"), "given": french("the progress")} in page
    line.refresh_from_db()
    assert line.progress == "" and line.letter_grade == ""

    # Without the progress: I (insufficient evidence) is for Grade 10.
    data["lines-0-progress"] = ""
    assert secretary_client.post(url, data).status_code == 302
    line.refresh_from_db()
    assert (line.letter_grade, line.percentage) == ("I", None)


@pytest.mark.parametrize(("kind", "grade", "marks", "wrong"), [
    (Kind.KINDERGARTEN, 0, {"progress": "well"}, {"progress"}),
    (Kind.ELEMENTARY_PROGRESS, 3, {"progress": "well", "letter_grade": "A"}, {"letter_grade"}),
    (Kind.ELEMENTARY_PROVINCIAL, 2, {"letter_grade": "I"}, set()),
    (Kind.ELEMENTARY_PROVINCIAL, 7, {"letter_grade": "I"}, set()),
    (Kind.ELEMENTARY_PROVINCIAL, 7, {"letter_grade": "B"}, {"letter_grade"}),
    (Kind.ELEMENTARY_PROVINCIAL, 8, {"percentage": 80, "credit_earned": "1"},
     {"credit_earned"}),
    (Kind.SECONDARY_MIDTERM, 11, {"percentage": 80, "course_median": 75,
                                  "credit_earned": "1"}, set()),
    (Kind.SECONDARY_MIDTERM, 11, {"letter_grade": "I", "course_median": 75},
     {"letter_grade"}),
    (Kind.SECONDARY_FINAL, 12, {"percentage": 80, "progress": "well"}, {"progress"}),
])
def test_the_marks_each_kind_and_grade_use(kind, grade, marks, wrong):
    line = ReportCardLine(subject="Français", **marks)
    assert set(selectors.wrong_marks(line, selectors.line_marks(kind, grade))) == wrong


def test_the_principal_and_a_course_s_title_are_filled_in_when_left_empty(
        secretary_client, family):
    # Report-card day: the school's principal and each course's title are not typed again.
    child = family.children[1]  # Grade 10
    child.school.principal_name = "Mme Carole Dubé"
    child.school.save()
    period = make_period(kind=Kind.SECONDARY_MIDTERM, school=child.school)
    course = factories.CourseFactory(code="MPM2D", title_fr="Mathématiques, 10e année")
    data = _card_data(period, child, lines=[
        {"course": course.pk, "subject": "", "percentage": 81, "course_median": 74}])
    data["principal_name"] = ""

    response = _add_card(secretary_client, data)

    assert response.status_code == 302
    card = ReportCard.objects.get(period=period, student=child)
    assert card.principal_name == "Mme Carole Dubé"
    assert card.lines.get().subject == "Mathématiques, 10e année"


def test_a_line_without_a_course_still_needs_its_subject(secretary_client, family):
    child = family.children[0]
    child.school.principal_name = ""
    child.school.save()
    period = make_period(kind=Kind.ELEMENTARY_PROGRESS, school=child.school)
    data = _card_data(period, child, lines=[{"subject": "", "progress": "well"}])
    data["principal_name"] = ""

    page = html_of(_add_card(secretary_client, data))

    assert french("This school's page names no principal: type the name here.") in page
    assert french("This field is required.") in page
    assert not ReportCard.objects.filter(student=child).exists()
