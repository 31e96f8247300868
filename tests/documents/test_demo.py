"""demo.report_cards.seed_report_cards: the demo family finds report cards and forms."""

import datetime

import pytest
from pypdf import PdfReader

from demo.report_cards import seed_report_cards
from documents import selectors
from documents.models import BoardForm, ReportCard, ReportCardFile, ReportingPeriod
from students.models import Level, Student
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_rounds_published_so_far_are_there_for_the_family_and_only_once(
        family, other_family, in_process_celery, django_capture_on_commit_callbacks):
    factories.SchoolYearFactory()
    today = datetime.date(2026, 12, 1)

    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            seed_report_cards(today=today)

    assert sorted(ReportingPeriod.objects.values_list("name", flat=True)) == [
        "Bulletin de mi-semestre 1", "Bulletin de progrès", "Bulletin de progrès"]
    elementary, secondary = family.children
    for child in (elementary, secondary, *other_family.children):
        [shown] = selectors.report_card_entries(child, today=today)
        assert shown.version == 1
    assert ReportCardFile.objects.count() == 3
    assert selectors.forms_for(elementary).count() == 3  # the board's two and its school's
    assert BoardForm.objects.count() == 2 + 3


def test_a_school_whose_name_holds_markup_characters_gets_its_form():
    year = factories.SchoolYearFactory()
    school = factories.SchoolFactory(name="École A & B <Nord>")
    student = factories.StudentFactory(school=school)

    seed_report_cards(students=Student.objects.filter(pk=student.pk), today=year.start_date)

    form = BoardForm.objects.get(school=school)
    text = PdfReader(form.file.open()).pages[0].extract_text()
    assert "Formulaire de l'école — École A & B <Nord>" in text


def test_grades_7_and_8_at_a_secondary_school_get_elementary_report_cards():
    factories.SchoolYearFactory()
    school = factories.SchoolFactory(level=Level.SECONDARY)
    grade_8 = factories.StudentFactory(school=school, grade=8)
    grade_10 = factories.StudentFactory(school=school, grade=10)

    seed_report_cards(students=Student.objects.filter(pk__in=[grade_8.pk, grade_10.pk]),
                      today=datetime.date(2026, 12, 1))

    kinds = dict(ReportCard.objects.values_list("student_id", "period__kind"))
    assert kinds == {grade_8.pk: ReportingPeriod.Kind.ELEMENTARY_PROGRESS,
                     grade_10.pk: ReportingPeriod.Kind.SECONDARY_MIDTERM}
