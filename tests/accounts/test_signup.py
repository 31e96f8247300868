"""Création d'un compte Portail Famille: the choice, both paths' steps, the validation link."""

import datetime
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import User
from portail.formats import PHONE_MESSAGE, POSTAL_CODE_MESSAGE
from students import services as signup_services
from students.models import AccessCode, Guardian
from students.selectors import students_visible_to
from students.signup_forms import AccessCodeForm
from tests import factories
from tests.accounts.conftest import (
    NEW_PASSWORD,
    PROFILE,
    TOO_LONG,
    account_data,
    emails_to,
    link_in,
    page_text,
)
from tests.pages import french, french_plural, html_of

pytestmark = pytest.mark.django_db

CONFIRM_PREFIX = "/compte/valider/"


def field_error(html: str, field: str, message: str) -> bool:
    """The message sits in the field's own error list, and the input points to it."""
    errors = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    described = re.search(rf'<(input|select)[^>]*aria-invalid="true"[^>]*'
                          rf'aria-describedby="[^"]*id_{field}_error', html)
    return bool(errors and message in errors.group(1) and described)


def sign_up(client, sending, email="amelie@example.com", **changes):
    with sending():
        return client.post(reverse("accounts:signup_account"), account_data(email, **changes))


def validate(client, sending, email: str):
    """Open the validation email's link and press the button."""
    [message] = [m for m in emails_to(email) if CONFIRM_PREFIX in m.body]
    url = link_in(message, CONFIRM_PREFIX)
    assert client.get(url).status_code == 200
    with sending():
        return client.post(url)


# The choice ----------------------------------------------------------------------------

def test_choice_offers_the_code_and_the_new_parent_link(client, settings):
    html = html_of(client.get(reverse("accounts:signup")))

    assert f"<h1>{french('Create a Portail Famille account')}</h1>" in html
    new_parent = french("Click here if you are a new parent at the %(board_short_name)s and "
                        "the system does not contain any of your information")
    link = new_parent % {"board_short_name": settings.BOARD_SHORT_NAME}
    assert f'<a href="{reverse("accounts:signup_profile")}">{link}</a>' in html
    assert f'href="{reverse("accounts:signup_code")}"' in html


def test_allauths_signup_address_leads_to_the_choice(client):
    response = client.get("/comptes/signup/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup")


def test_a_logged_in_parent_is_sent_home(client, charlie):
    client.force_login(charlie)
    assert client.get(reverse("accounts:signup"))["Location"] == reverse("home")


# Step 1 --------------------------------------------------------------------------------

def test_step_one_has_the_guides_fields_and_says_where_the_parent_is(client):
    html = html_of(client.get(reverse("accounts:signup_profile")))

    step = french("Step %(step)s of 2") % {"step": 1}
    assert f'<span class="signup-step__count">{step}</span>' in html
    for field, label in [("first_name", "First name"), ("last_name", "Last name"),
                         ("street", "Address"), ("city", "City"), ("province", "Province"),
                         ("postal_code", "Postal code"), ("primary_phone", "Main phone number")]:
        assert f'<label class="field__label" for="id_{field}">{french(label)}</label>' \
            in html
    assert '<option value="ON" selected>' in html
    assert f">{french('Next')}</button>" in html


def title_of(client, name: str) -> str:
    return re.search(r"<title>(.*?)</title>", html_of(client.get(reverse(name)))).group(1)


@pytest.mark.parametrize("name", ["account_reset_password", "accounts:signup",
                                  "accounts:signup_code", "accounts:signup_profile"])
def test_a_title_names_the_portal_once(client, name):
    assert title_of(client, name).count("Portail Famille") == 1


def test_each_first_step_has_its_own_title(client):
    step = french("Step %(step)s of 2") % {"step": 1}
    for name, step_name in [("accounts:signup_code", "Your school's access code"),
                            ("accounts:signup_profile", "Your information")]:
        assert title_of(client, name).startswith(f"{step} – {french(step_name)} – ")


def test_step_one_is_kept_on_the_server_and_shown_again(client):
    response = client.post(reverse("accounts:signup_profile"), PROFILE)

    assert response["Location"] == reverse("accounts:signup_account")
    kept = client.session[signup_services.SIGNUP_PROFILE_KEY]
    assert kept["postal_code"] == "K1C 2N4"
    assert kept["primary_phone"] == "6135550123"
    # Back from step 2 (or the "Previous" link): what was typed is there.
    html = html_of(client.get(reverse("accounts:signup_profile")))
    assert 'value="Amélie"' in html
    assert 'value="K1C 2N4"' in html
    assert 'value="12, rue des Érables"' in html


@pytest.mark.parametrize(("field", "value", "message"), [
    ("first_name", "", "This field is required."),
    ("last_name", "   ", "This field is required."),
    ("street", "", "This field is required."),
    ("city", "x" * 101, TOO_LONG),
    ("postal_code", "D1G 6C3", POSTAL_CODE_MESSAGE),
    ("postal_code", "K1G6C", POSTAL_CODE_MESSAGE),
    ("primary_phone", "555-0123", PHONE_MESSAGE),
    ("primary_phone", "613 555 01234", PHONE_MESSAGE),
    ("province", "ZZ", "Select a valid choice. %(value)s is not one of the available choices."),
])
def test_step_one_errors_are_french_and_beside_their_field(client, field, value, message):
    response = client.post(reverse("accounts:signup_profile"), {**PROFILE, field: value})
    # Shown after a redirect: Back from step 2 never lands on a page made by a POST.
    assert response["Location"] == reverse("accounts:signup_profile")
    html = html_of(client.get(response["Location"]))

    text = french_plural(*message, 100) if isinstance(message, tuple) else french(message)
    expected = text % {"limit_value": 100, "show_value": 101, "value": value}
    assert field_error(html, field, expected), html
    assert 'value="12, rue des Érables"' in html or field == "street"
    assert signup_services.SIGNUP_PROFILE_KEY not in client.session


# Step 2 --------------------------------------------------------------------------------

def test_step_two_needs_step_one(client):
    assert client.get(reverse("accounts:signup_account"))["Location"] == reverse("accounts:signup")


def test_step_two_has_the_guides_fields_and_a_way_back(client, signup_step_two):
    html = html_of(signup_step_two().get(reverse("accounts:signup_account")))

    step = french("Step %(step)s of 2") % {"step": 2}
    assert f'<span class="signup-step__count">{step}</span>' in html
    for field, label in [("email", "Main email"), ("password1", "Password"),
                         ("security_question", "Security question"),
                         ("security_answer", "Security answer")]:
        assert f'<label class="field__label" for="id_{field}">{french(label)}</label>' \
            in html
    assert f">{french('Create my account')}</button>" in html
    previous = french("Previous")
    assert f'<a class="button" href="{reverse("accounts:signup_profile")}">{previous}</a>' in html


def test_new_parent_signs_up_validates_and_logs_in(client, signup_step_two, sending):
    response = sign_up(signup_step_two(), sending)

    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="amelie@example.com")
    assert (user.first_name, user.last_name, user.username) == ("Amélie", "Tremblay",
                                                                "atremblay")
    assert user.preferred_language == "fr"
    assert not EmailAddress.objects.get(user=user).verified
    guardian = Guardian.objects.get(user=user)
    assert guardian.address_lines == ["12, rue des Érables", "Orléans (ON) K1C 2N4"]
    assert guardian.primary_phone == "6135550123"
    assert signup_services.SIGNUP_PROFILE_KEY not in client.session
    html = html_of(client.get(response["Location"]))
    assert french("A validation message has been sent to your main email.") in html

    # Not before the validation.
    response = client.post(reverse("account_login"),
                           {"login": "atremblay", "password": NEW_PASSWORD})
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    response = validate(client, sending, "amelie@example.com")
    assert response["Location"] == reverse("accounts:activated")
    html = html_of(client.get(response["Location"]))
    assert '<dd class="login-id">atremblay</dd>' in html
    [login_id_email] = [m for m in emails_to("amelie@example.com") if "atremblay" in m.body
                        and CONFIRM_PREFIX not in m.body]
    assert reverse("account_login") in login_id_email.body

    response = client.post(reverse("account_login"),
                           {"login": "atremblay", "password": NEW_PASSWORD})
    assert response["Location"] == reverse("home")
    assert list(students_visible_to(user)) == []


def test_the_login_id_is_made_unique(client, signup_step_two, sending):
    factories.UserFactory(username="atremblay")
    sign_up(signup_step_two(), sending)
    login_id = User.objects.get(email="amelie@example.com").username
    assert login_id.startswith("atremblay")
    assert login_id != "atremblay"


@pytest.mark.parametrize(("field", "changes", "expected"), [
    ("email", {"email": ""}, lambda: french("This field is required.")),
    ("email", {"email": "amelie.example.com"}, lambda: french("Enter a valid email address.")),
    ("password2", {"password2": NEW_PASSWORD + "!"},
     lambda: french("You must type the same password each time.")),
    ("password1", {"password1": "Short1pass!", "password2": "Short1pass!"},
     lambda: french_plural("This password is too short. It must contain at least %d character.",
                           "This password is too short. It must contain at least %d characters.",
                           12) % 12),
    ("password1", {"password1": "password1234", "password2": "password1234"},
     lambda: french("This password is among the most common ones, even with digits or "
                    "symbols added: it would be among the first tried.")),
    ("password1", {"password1": "amelie@example.com", "password2": "amelie@example.com"},
     lambda: french("The password is too similar to the %(verbose_name)s.")
     % {"verbose_name": french("main email")}),
    ("security_question", {"security_question": "favourite_colour"},
     lambda: french("Select a valid choice. %(value)s is not one of the available choices.")
     % {"value": "favourite_colour"}),
    ("security_answer", {"security_answer": ""}, lambda: french("This field is required.")),
    ("security_answer", {"security_answer": "x" * 101},
     lambda: french_plural(*TOO_LONG, 100) % {"limit_value": 100, "show_value": 101}),
])
def test_step_two_errors_are_french_beside_the_field_and_create_nothing(
    client, signup_step_two, sending, field, changes, expected
):
    response = sign_up(signup_step_two(), sending, **changes)

    assert field_error(html_of(response), field, expected()), response.content.decode()
    assert not User.objects.exists()
    assert mail.outbox == []


def test_a_long_pasted_password_is_accepted(client, signup_step_two, sending):
    passphrase = "Le petit chat de Mme Gagnon dort au soleil sur le balcon, 3e étage " * 2
    sign_up(signup_step_two(), sending, password1=passphrase, password2=passphrase)
    assert User.objects.get(email="amelie@example.com").check_password(passphrase)


def test_security_answer_is_stored_hashed(client, signup_step_two, sending):
    sign_up(signup_step_two(), sending, security_answer="Pompon le Chat")
    user = User.objects.get(email="amelie@example.com")
    assert user.security_question == "first_pet"
    assert "Pompon" not in user.security_answer
    assert identify_hasher(user.security_answer).algorithm == "argon2"
    assert services.security_answer_matches(user=user, answer="pompon le chat")


# No enumeration ------------------------------------------------------------------------

def test_an_address_already_registered_gets_the_same_page_and_its_owner_an_email(
    client, signup_step_two, sending, family
):
    known = family.user.email
    response_new = sign_up(signup_step_two(), sending, email="nouveau@example.com")
    page_new = page_text(client.get(response_new["Location"]))
    response_known = sign_up(signup_step_two(), sending, email=known.upper())
    page_known = page_text(client.get(response_known["Location"]))

    assert response_known["Location"] == response_new["Location"]
    assert page_known.replace(known, "ADDRESS") == page_new.replace("nouveau@example.com",
                                                                     "ADDRESS")
    assert User.objects.filter(email__iexact=known).count() == 1
    assert signup_services.SIGNUP_PROFILE_KEY not in client.session
    [warning] = emails_to(known)
    assert CONFIRM_PREFIX not in warning.body
    assert reverse("account_reset_password") in warning.body


# The validation link -------------------------------------------------------------------

@pytest.fixture
def validation_link(client, signup_step_two, sending):
    sign_up(signup_step_two(), sending)
    [message] = emails_to("amelie@example.com")
    return link_in(message, CONFIRM_PREFIX)


def is_verified() -> bool:
    return EmailAddress.objects.get(email="amelie@example.com").verified


def test_opening_the_link_shows_a_button_and_validates_nothing(client, validation_link):
    html = html_of(client.get(validation_link))

    label = re.escape(french("Validate your account"))
    assert re.search(rf'<form class="form" method="post" action="{validation_link}">.*'
                     rf'<button class="button button--primary" type="submit">{label}</button>',
                     html, re.S)
    assert not is_verified()
    assert mail.outbox[-1].subject == french("Validate your Portail Famille account")


def test_a_used_link_offers_to_start_again(client, validation_link):
    client.post(validation_link)
    assert is_verified()

    for response in (client.get(validation_link), client.post(validation_link)):
        html = html_of(response)
        assert french("This link no longer works") in html
        assert f'href="{reverse("account_login")}"' in html


def test_a_tampered_link_offers_to_start_again(client, validation_link):
    tampered = validation_link[:-3] + ("A" if validation_link[-3] != "A" else "B") + \
        validation_link[-2:]
    for response in (client.get(tampered), client.post(tampered)):
        assert french("This link no longer works") in html_of(response)
    assert not is_verified()


def test_the_link_expires_after_three_days(client, validation_link):
    later = timezone.now() + datetime.timedelta(days=3, minutes=1)
    with time_machine.travel(later, tick=False):
        assert french("This link no longer works") in html_of(client.get(validation_link))
        client.post(validation_link)
    assert not is_verified()


def test_the_link_and_the_activated_page_are_kept_by_no_cache(client, validation_link):
    """They name the parent's email and login ID to a browser not yet logged in: on a
    shared computer, Back or the history must not show them to the next person."""
    opened = client.get(validation_link)
    assert "amelie@example.com" in html_of(opened)
    activated = client.get(client.post(validation_link)["Location"])
    assert '<dd class="login-id">atremblay</dd>' in html_of(activated)
    for response in (opened, activated):
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_the_activated_page_needs_a_validation(client):
    assert client.get(reverse("accounts:activated"))["Location"] == reverse("account_login")


# Existing parent: the school's access code ---------------------------------------------

@pytest.fixture
def code_for(db):
    def issue(guardian, **changes) -> str:
        access_code, code = signup_services.access_code_issue(guardian=guardian, issued_by=None)
        if changes:
            AccessCode.objects.filter(pk=access_code.pk).update(**changes)
        return code
    return issue


@pytest.fixture
def unlinked_family(db):
    """A guardian the school knows, with a child, but no portal account yet."""
    guardian = factories.GuardianFactory(first_name="Élise", last_name="Bélanger",
                                         email="elise@example.com")
    child = factories.StudentFactory(legal_last_name="Bélanger")
    factories.StudentGuardianFactory(student=child, guardian=guardian)
    return guardian, child


@pytest.mark.parametrize("typed_name", ["Bélanger", "BELANGER", "  belanger "])
def test_existing_parent_with_a_code_gets_an_account_linked_to_their_children(
    client, sending, code_for, unlinked_family, typed_name
):
    guardian, child = unlinked_family
    code = code_for(guardian)

    response = client.post(reverse("accounts:signup_code"),
                           {"code": code.lower().replace("-", " "), "last_name": typed_name})
    assert response["Location"] == reverse("accounts:signup_account")
    html = html_of(client.get(reverse("accounts:signup_account")))
    assert f'href="{reverse("accounts:signup_code")}"' in html

    sign_up(client, sending, email="elise@example.com")
    user = User.objects.get(email="elise@example.com")
    assert (user.first_name, user.last_name, user.username) == ("Élise", "Bélanger", "ebelanger")
    guardian.refresh_from_db()
    assert guardian.user is None  # not before the email is validated
    assert not Guardian.objects.filter(user=user).exists()

    validate(client, sending, "elise@example.com")
    guardian.refresh_from_db()
    assert guardian.user == user
    assert list(students_visible_to(user)) == [child]
    assert AccessCode.objects.get(guardian=guardian).used_at is not None


@pytest.mark.parametrize("problem", ["wrong name", "expired", "used", "unknown", "linked"])
def test_a_bad_code_gets_one_clear_message_and_creates_nothing(
    client, code_for, unlinked_family, charlie, problem
):
    guardian, _child = unlinked_family
    code = code_for(guardian)
    last_name = "Bélanger"
    if problem == "wrong name":
        last_name = "Tremblay"
    elif problem == "expired":
        code = code_for(guardian, created_at=timezone.now() - datetime.timedelta(days=31),
                        expires_at=timezone.now() - datetime.timedelta(minutes=1))
    elif problem == "used":
        code = code_for(guardian, claimed_by=charlie, used_at=timezone.now())
    elif problem == "unknown":
        code = "ABCD-EFGH-JKMN"
    elif problem == "linked":
        Guardian.objects.filter(pk=guardian.pk).update(user=charlie)

    html = html_of(client.post(reverse("accounts:signup_code"),
                               {"code": code, "last_name": last_name}))

    message = french("This code is not valid, has expired or has already been used. "
                     "Ask your child's school for a new one.")
    assert f'<div class="form-errors" role="alert" tabindex="-1" autofocus>' \
           f'<ul class="errorlist nonfield">' \
           f'<li>{message}</li></ul></div>' in html
    assert signup_services.SIGNUP_ACCESS_CODE_KEY not in client.session
    assert client.get(reverse("accounts:signup_account"))["Location"] == reverse("accounts:signup")


def test_a_code_that_expires_between_the_steps_is_refused_at_step_two(
    client, sending, code_for, unlinked_family
):
    guardian, _child = unlinked_family
    client.post(reverse("accounts:signup_code"), {"code": code_for(guardian),
                                                  "last_name": "Bélanger"})
    AccessCode.objects.update(created_at=timezone.now() - datetime.timedelta(days=31),
                              expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = sign_up(client, sending, email="elise@example.com")

    assert response["Location"] == reverse("accounts:signup_code")
    assert not User.objects.filter(email="elise@example.com").exists()
    html = html_of(client.get(response["Location"]))
    assert french("This code is not valid, has expired or has already been used. "
                  "Ask your child's school for a new one.") in html


def test_code_attempts_are_limited_per_address(client, unlinked_family):
    attempt = {"code": "ABCD-EFGH-JKMN", "last_name": "Bélanger"}
    for _ in range(10):
        assert client.post(reverse("accounts:signup_code"), attempt).status_code == 200

    response = client.post(reverse("accounts:signup_code"), attempt)
    assert french("Too many attempts. Wait a few minutes and try again.") in \
        html_of(response, status=429)
    # Someone else, elsewhere, is not blocked.
    elsewhere = client.post(reverse("accounts:signup_code"), attempt, REMOTE_ADDR="192.0.2.7")
    assert elsewhere.status_code == 200


def test_past_the_limit_a_valid_code_gets_the_same_answer_as_a_wrong_one(
    client, code_for, unlinked_family
):
    guardian, _child = unlinked_family
    wrong = {"code": "ABCD-EFGH-JKMN", "last_name": "Bélanger"}
    for _ in range(10):
        client.post(reverse("accounts:signup_code"), wrong)

    answers = [client.post(reverse("accounts:signup_code"), attempt) for attempt in (
        wrong, {"code": code_for(guardian), "last_name": "Bélanger"})]

    # The same page but for the form's token, masked anew on every page.
    pages = [re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", html_of(answer, status=429))
             for answer in answers]
    assert pages[0] == pages[1]
    assert french(AccessCodeForm.INVALID_MESSAGE) not in pages[0]
    assert signup_services.SIGNUP_ACCESS_CODE_KEY not in client.session


def test_in_english_the_steps_and_the_emails_are_in_english(client, signup_step_two, sending,
                                                            settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = html_of(client.get(reverse("accounts:signup_profile")))
    assert '<html lang="en">' in html
    assert '<label class="field__label" for="id_first_name">First name</label>' in html

    sign_up(signup_step_two(), sending)

    user = User.objects.get(email="amelie@example.com")
    assert user.preferred_language == "en"
    [message] = emails_to("amelie@example.com")
    assert message.subject == "Validate your Portail Famille account"
    validate(client, sending, "amelie@example.com")
    assert "Your Portail Famille login ID is: atremblay" in emails_to(user.email)[-1].body
