"""The security question: answers stored hashed after folding case, accents and spaces; only
the help desk checks them; parents change them with their current password."""

import re

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse

from accounts import services
from accounts.models import SecurityQuestion
from tests import factories
from tests.pages import french, html_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["Saint-Jérôme", "  saint-jerome ", "SAINT-JÉRÔME",
                                   "Saint-Jérôme\t"])
def test_answers_match_whatever_the_case_accents_and_spaces(charlie, typed):
    services.security_answer_set(user=charlie, question=SecurityQuestion.BIRTH_CITY,
                                 answer="Saint-Jérôme")
    assert services.security_answer_matches(user=charlie, answer=typed)


@pytest.mark.parametrize("typed", ["Saint-Jean", "SaintJerome", ""])
def test_other_answers_do_not_match(charlie, typed):
    services.security_answer_set(user=charlie, question=SecurityQuestion.BIRTH_CITY,
                                 answer="Saint-Jérôme")
    assert not services.security_answer_matches(user=charlie, answer=typed)


def test_answer_is_stored_as_an_argon2_hash(charlie):
    services.security_answer_set(user=charlie, question=SecurityQuestion.FIRST_PET,
                                 answer="Pompon")
    charlie.refresh_from_db()
    assert charlie.security_question == "first_pet"
    assert "ompon" not in charlie.security_answer
    assert identify_hasher(charlie.security_answer).algorithm == "argon2"


def test_no_answer_set_matches_nothing(charlie):
    assert not services.security_answer_matches(user=charlie, answer="")


@pytest.fixture
def alice(client, family):
    services.security_answer_set(user=family.user, question=SecurityQuestion.FIRST_PET,
                                 answer="Pompon")
    client.force_login(family.user)
    return family.user


def change_question(client, password: str = factories.PASSWORD, **changes):
    return client.post(reverse("accounts:security"), {
        "current_password": password, "security_question": "street",
        "security_answer": "Rue des Pins", **changes,
    })


def test_security_tab_shows_the_question_never_the_answer(client, alice):
    html = html_of(client.get(reverse("accounts:security")))

    assert french(SecurityQuestion.FIRST_PET.label) in html
    assert '<option value="first_pet" selected>' in html
    assert "Pompon" not in html
    assert alice.security_answer not in html
    [answer_input] = re.findall(r'<input[^>]*name="security_answer"[^>]*>', html)
    assert "value=" not in answer_input


def test_the_question_changes_with_the_current_password(client, alice):
    response = change_question(client)

    assert response["Location"] == reverse("accounts:security")
    alice.refresh_from_db()
    assert alice.security_question == "street"
    assert services.security_answer_matches(user=alice, answer="rue des pins")
    html = html_of(client.get(response["Location"]))
    assert french("Your security question has been changed.") in html


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"password": "pas le bon"}, "current_password", "Your current password is not correct."),
    ({"security_answer": ""}, "security_answer", "This field is required."),
    ({"security_question": "shoe_size"}, "security_question",
     "Select a valid choice. %(value)s is not one of the available choices."),
])
def test_a_bad_change_is_refused_beside_the_field(client, alice, changes, field, message):
    html = html_of(change_question(client, **changes))

    found = re.search(rf'<ul class="errorlist" id="id_{field}_error"><li>(.*?)</li>', html)
    assert found
    assert found.group(1) == french(message) % {"value": "shoe_size"}
    alice.refresh_from_db()
    assert alice.security_question == "first_pet"
    assert services.security_answer_matches(user=alice, answer="Pompon")


def test_password_changes_do_not_use_up_this_forms_attempts(client, alice):
    for _ in range(5):
        client.post(reverse("account_change_password"), {
            "oldpassword": "devinette", "password1": "x", "password2": "x"})

    response = change_question(client)

    assert response["Location"] == reverse("accounts:security")
    alice.refresh_from_db()
    assert alice.security_question != "first_pet"


def test_guessing_the_current_password_here_is_limited(client, alice):
    for _ in range(5):
        change_question(client, password="devinette")

    response = change_question(client)

    assert response["Location"] == reverse("accounts:security")
    html = html_of(client.get(response["Location"]))
    assert french("Too many attempts. Wait a few minutes and try again.") in html
    alice.refresh_from_db()
    assert alice.security_question == "first_pet"
