"""Passwords parents would not guess in a minute: French and English common
passwords, runs, keyboard and alphabet sequences, the person's own words; for sign-up,
resets and staff alike, said in French beside the field."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.passwords import FRENCH_LIST
from tests import factories
from tests.accounts.conftest import NEW_PASSWORD, account_data
from tests.pages import french, html_of
from tests.staff_session import admin_login

COMMON = ("This password is among the most common ones, even with digits or symbols added: "
          "it would be among the first tried.")
PATTERN = ("This password is mostly a repeated character or a keyboard or alphabet sequence "
           "(such as aaaa, azerty or abcd): those are tried first.")
PERSONAL = ("This password is mostly your name, email or login ID: people who know you "
            "could guess it.")
AMELIE = {"first_name": "Amélie", "last_name": "Tremblay", "username": "atremblay",
          "email": "amelie.t@example.com"}


def refusals(password: str, user: User | None = None) -> list[str]:
    """The reasons, in English (the pages' French is checked below)."""
    try:
        with translation.override("en"):
            validate_password(password, user)
    except ValidationError as error:
        with translation.override("en"):
            return [str(message) for message in error.messages]
    return []


@pytest.mark.parametrize(("password", "reason"), [
    # The examples, all accepted before.
    ("motdepasse12", COMMON), ("bonjour12345", COMMON), ("azertyuiop12", PATTERN),
    ("aaaaaaaaaaaa", PATTERN), ("abcdefghijkl", PATTERN),
    # French words and phrases from the portal's list, as people dress them up.
    ("Mot de passe 2024", COMMON), ("Doudou!123456", COMMON), ("1234Chouchou", COMMON),
    ("Canadiens2025!!", COMMON), ("Marseille13013", COMMON), ("Bébé-2020-2021", COMMON),
    # English, from Django's list.
    ("password1234", COMMON), ("P@ssw0rd2024!", COMMON), ("sunshine2024", COMMON),
    # Runs and sequences, AZERTY and QWERTY, forwards and backwards.
    ("qwerty123456", PATTERN), ("qsdfghjklm12", PATTERN), ("9876543210ab", PATTERN),
    ("wxcvbn!!!!!!!", PATTERN), ("zzzzzz111111", PATTERN),
])
def test_weak_passwords_are_refused_with_the_reason(password, reason):
    assert reason in refusals(password)


@pytest.mark.parametrize("password", [
    "Quatre chevaux dansent sous la pluie", "Le chat de Mme Gagnon dort au soleil",
    "Demo-Portail-2026", "Soleil!2024Érable", "correct horse battery staple",
])
def test_passphrases_and_mixed_passwords_pass(password):
    assert refusals(password, User(**AMELIE)) == []


@pytest.mark.parametrize("password", [
    "AmelieTremblay2025", "Tremblay.Amélie!", "atremblay-2025!", "amelie.t@example",
    "Tremblay2025!!",
])
def test_passwords_made_of_the_persons_own_words_are_refused(password):
    assert PERSONAL in refusals(password, User(**AMELIE))
    assert PERSONAL not in refusals(password)


def test_the_french_list_ships_with_the_project_folded_and_of_a_reasonable_size():
    words = [line for line in FRENCH_LIST.read_text(encoding="utf-8").splitlines()
             if not line.startswith("#")]
    assert 300 < len(words) < 5000
    assert len(words) == len(set(words))
    assert all(word == word.strip().lower() and word.isascii() and word for word in words)


@pytest.mark.django_db
def test_sign_up_refuses_a_password_made_of_the_names_typed_in_step_one(
    client, signup_step_two, sending
):
    """The names are not on the account yet when the password is checked."""
    signup_step_two(first_name="Amélie", last_name="Tremblay")
    with sending():
        response = client.post(reverse("accounts:signup_account"), account_data(
            password1="Amelie-Tremblay-2025", password2="Amelie-Tremblay-2025"))

    html = html_of(response)
    assert '<ul class="errorlist" id="id_password1_error">' in html
    assert french(PERSONAL) in html
    assert not User.objects.exists()


@pytest.mark.django_db
def test_staff_get_the_same_rules(client):
    staff = factories.UserFactory(username="direction", is_staff=True, is_superuser=True)
    admin_login(client, staff)
    url = reverse("admin:auth_user_password_change", args=[staff.pk])

    response = client.post(url, {"password1": "motdepasse12", "password2": "motdepasse12"})

    assert french(COMMON) in html_of(response)
    staff.refresh_from_db()
    assert staff.check_password(factories.PASSWORD)
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
