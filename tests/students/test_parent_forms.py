"""Formulaires parents: which forms a child gets, and one signed, time-stamped answer per
child."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from students import services
from students.models import ParentForm, ParentFormResponse
from tests import factories
from tests.students import famille_factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("famille_today")]


@pytest.fixture
def alice(client, family):
    client.force_login(family.user)
    return family


@pytest.fixture
def child(alice):
    return alice.children[0]  # grade 4, in a school of its own


def _list_url(child) -> str:
    return reverse("students:forms", kwargs={"public_id": child.public_id})


def _answer_url(child, form: ParentForm) -> str:
    return reverse("students:form_answer",
                   kwargs={"public_id": child.public_id, "form_id": form.public_id})


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_lists_the_boards_the_schools_and_the_grades_forms_only(client, alice, child):
    other_school = alice.children[1].school
    year = factories.SchoolYearFactory()
    last_year = factories.SchoolYearFactory(name="2025-2026",
                                            start_date=datetime.date(2025, 9, 2),
                                            end_date=datetime.date(2026, 6, 26))
    shown = [
        famille_factories.ParentFormFactory(title_fr="Pour tout le Conseil", school_year=year),
        famille_factories.ParentFormFactory(title_fr="Pour son école", school=child.school),
        famille_factories.ParentFormFactory(title_fr="Pour sa classe", school=child.school,
                                            grade=child.grade),
        famille_factories.ParentFormFactory(title_fr="Pour sa 4e année au Conseil",
                                            grade=child.grade),
    ]
    hidden = [
        famille_factories.ParentFormFactory(title_fr="Autre école", school=other_school),
        famille_factories.ParentFormFactory(title_fr="Autre année d'études",
                                            school=child.school, grade=child.grade + 1),
        famille_factories.ParentFormFactory(title_fr="Formulaire fermé", is_open=False),
        famille_factories.ParentFormFactory(title_fr="L'an dernier", school_year=last_year),
    ]
    page = _page(client, _list_url(child))
    for form in shown:
        assert form.title_fr in page
        assert _answer_url(child, form) in page
    for form in hidden:
        assert form.title_fr.replace("'", "&#x27;") not in page
        assert client.get(_answer_url(child, form)).status_code == 404
        response = client.post(_answer_url(child, form),
                               {"accepted": "yes", "signature": "Alice Tremblay"})
        assert response.status_code == 404
    assert not ParentFormResponse.objects.exists()


def test_a_form_of_one_child_is_not_reachable_through_the_other(client, alice):
    elementary, secondary = alice.children
    form = famille_factories.ParentFormFactory(school=secondary.school)
    assert client.get(_answer_url(secondary, form)).status_code == 200
    assert client.get(_answer_url(elementary, form)).status_code == 404


def test_answer_is_signed_and_time_stamped(client, alice, child):
    form = famille_factories.ParentFormFactory()
    client.cookies["django_language"] = "en"
    response = client.post(_answer_url(child, form),
                           {"accepted": "no", "signature": "  Alice Tremblay  "}, follow=True)
    assert response.redirect_chain == [(_list_url(child), 302)]
    assert "Your answer has been recorded. Thank you." in response.content.decode()

    answer = ParentFormResponse.objects.get()
    assert (answer.form, answer.student, answer.answered_by) == (form, child, alice.user)
    assert answer.accepted is False
    assert answer.signature == "Alice Tremblay"
    assert answer.signed_at.astimezone(ZoneInfo("America/Toronto")).replace(
        second=0, microsecond=0) == datetime.datetime(2026, 11, 29, 10, 0,
                                                      tzinfo=ZoneInfo("America/Toronto"))
    assert abs(timezone.now() - answer.signed_at) < datetime.timedelta(minutes=1)

    page = _page(client, _answer_url(child, form))
    assert "This form has already been answered for this child." in page
    assert "I do not agree" in page and "Alice Tremblay" in page
    assert "29 November 2026 at 10 a.m." in page
    assert 'name="signature"' not in page


def test_the_list_says_which_forms_are_answered_in_french_dates(client, alice, child):
    answered, open_form = (famille_factories.ParentFormFactory(title_fr="A"),
                           famille_factories.ParentFormFactory(title_fr="B"))
    client.post(_answer_url(child, answered), {"accepted": "yes", "signature": "Alice T."})
    page = _page(client, _list_url(child))
    row_a = page[page.index(">A</a>"):page.index(">B</a>")]
    assert "29 novembre 2026" in row_a
    assert "29 novembre 2026" not in page[page.index(">B</a>"):]
    assert open_form.title_fr in page


def test_a_second_answer_is_refused_and_said_so(client, alice, child):
    form = famille_factories.ParentFormFactory()
    client.post(_answer_url(child, form), {"accepted": "yes", "signature": "Alice Tremblay"})
    client.cookies["django_language"] = "en"
    response = client.post(_answer_url(child, form),
                           {"accepted": "no", "signature": "Quelqu'un d'autre"}, follow=True)
    assert response.redirect_chain == [(_list_url(child), 302)]
    assert "This form has already been answered for this child." in response.content.decode()
    answer = ParentFormResponse.objects.get()
    assert answer.accepted is True and answer.signature == "Alice Tremblay"


def test_once_per_child_whichever_parent_answers(client, alice, child):
    form = famille_factories.ParentFormFactory()
    father = factories.UserFactory(username="pere.tremblay")
    factories.StudentGuardianFactory(
        student=child, relationship="father",
        guardian=factories.GuardianFactory(first_name="Marc", user=father))
    client.post(_answer_url(child, form), {"accepted": "yes", "signature": "Alice Tremblay"})

    client.force_login(father)
    page = _page(client, _answer_url(child, form))
    assert "Alice Tremblay" in page and 'name="signature"' not in page
    client.post(_answer_url(child, form), {"accepted": "no", "signature": "Marc Tremblay"})
    assert ParentFormResponse.objects.get().answered_by == alice.user


def test_each_child_is_answered_for_separately(client, alice):
    first, second = alice.children
    form = famille_factories.ParentFormFactory()
    client.post(_answer_url(first, form), {"accepted": "yes", "signature": "Alice Tremblay"})
    assert 'name="signature"' in _page(client, _answer_url(second, form))
    client.post(_answer_url(second, form), {"accepted": "no", "signature": "Alice Tremblay"})
    answers = dict(ParentFormResponse.objects.values_list("student", "accepted"))
    assert answers == {first.pk: True, second.pk: False}


@pytest.mark.parametrize("data", [
    {"accepted": "yes"},
    {"accepted": "yes", "signature": "   "},
    {"signature": "Alice Tremblay"},
    {"accepted": "peut-être", "signature": "Alice Tremblay"},
])
def test_incomplete_answer_is_shown_again_with_errors(client, alice, child, data):
    form = famille_factories.ParentFormFactory()
    response = client.post(_answer_url(child, form), data)
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert not ParentFormResponse.objects.exists()


def test_acknowledgement_needs_the_box_ticked(client, alice, child):
    form = famille_factories.ParentFormFactory(kind=ParentForm.Kind.ACKNOWLEDGEMENT)
    client.cookies["django_language"] = "en"
    page = _page(client, _answer_url(child, form))
    assert 'type="checkbox"' in page and "I have read this document." in page
    assert 'type="radio"' not in page

    response = client.post(_answer_url(child, form), {"signature": "Alice Tremblay"})
    assert response.status_code == 200 and not ParentFormResponse.objects.exists()
    client.post(_answer_url(child, form), {"accepted": "on", "signature": "Alice Tremblay"})
    assert ParentFormResponse.objects.get().accepted is True
    assert "Read and acknowledged" in _page(client, _answer_url(child, form))


def test_two_answers_at_the_same_moment_store_one(alice, child):
    """The database constraint decides when two requests pass the check together."""
    form = famille_factories.ParentFormFactory()
    first = services.parent_form_answer(form=form, student=child, user=alice.user,
                                        accepted=True, signature="Alice Tremblay")
    second = services.parent_form_answer(form=form, student=child, user=alice.user,
                                         accepted=False, signature="Alice Tremblay")
    assert first is not None and second is None
    assert ParentFormResponse.objects.count() == 1


def test_title_and_text_in_the_pages_language(client, alice, child):
    form = famille_factories.ParentFormFactory()
    page = _page(client, _answer_url(child, form))
    assert form.title_fr in page and "<p>Départ à 9 h.</p>" in page
    assert form.title_en not in page
    client.cookies["django_language"] = "en"
    page = _page(client, _answer_url(child, form))
    assert form.title_en in page and "<p>Leaving at 9 a.m.</p>" in page
    assert "Sign and send" in page and "Signature: type your full name" in page
