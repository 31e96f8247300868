"""Staff actions on the Famille data: the form answers' export and the withdrawal rule."""

import csv
import io

import pytest
from django.urls import reverse

from students.models import Student
from tests.staff import make_staff, staff_login
from tests.students.famille_factories import ParentFormFactory, ParentFormResponseFactory

pytestmark = pytest.mark.django_db


def test_a_secretary_exports_her_schools_form_answers_only(client, family, other_family):
    mine, theirs = family.children[0], other_family.children[0]
    form = ParentFormFactory(school=None)
    ParentFormResponseFactory(form=form, student=mine, answered_by=family.user,
                              signature="Alice Tremblay", accepted=True)
    other = ParentFormResponseFactory(form=form, student=theirs, answered_by=other_family.user,
                                      signature="Bob Gagnon", accepted=False)
    secretary = make_staff("secretaire", schools=[mine.school])
    staff_login(client, secretary)

    response = client.post(
        reverse("admin:students_parentformresponse_changelist"),
        # The other school's answer is posted too: the scoped queryset must drop it.
        {"action": "export_csv", "_selected_action": [a.pk for a in form.responses.all()]},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    assert rows[1][0] == form.title_fr
    assert rows[1][5] == "Alice Tremblay"
    assert rows[1][6] == family.user.username
    assert other.signature not in response.content.decode()


def test_an_exported_signature_never_runs_as_a_spreadsheet_formula(client, family):
    child = family.children[0]
    answer = ParentFormResponseFactory(student=child, answered_by=family.user,
                                       signature='=HYPERLINK("http://evil.example","Alice")')
    staff_login(client, make_staff("secretaire3", schools=[child.school]))

    response = client.post(reverse("admin:students_parentformresponse_changelist"),
                           {"action": "export_csv", "_selected_action": [answer.pk]})

    [_header, row] = list(csv.reader(io.StringIO(response.content.decode())))
    assert row[5] == "'" + answer.signature


def test_the_student_form_offers_no_withdrawal_outside_the_action(client, family):
    child = family.children[0]
    secretary = make_staff("secretaire2", schools=[child.school])
    staff_login(client, secretary)

    html = client.get(reverse("admin:students_student_change", args=[child.pk])).content.decode()

    assert f'value="{Student.Status.ACTIVE}"' in html
    assert f'value="{Student.Status.WITHDRAWN}"' not in html
