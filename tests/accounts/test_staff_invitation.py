"""A staff member's first day: the board adds them in one form, they get an invitation of
their own, choose a password once, set up two-step login and arrive in the admin.
(tests/browser/test_staff_invitation.py walks it in Chromium.)"""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.models import AuditEvent, StaffProfile, User
from accounts.roles import BOARD_ADMINISTRATION, HELP_DESK, SCHOOL_STAFF
from accounts.services import STAFF_INVITATION_ACCEPT, STAFF_INVITE
from outbox.delivery import render_email
from outbox.models import OutboundEmail
from tests import factories
from tests.pages import french, html_of
from tests.staff import make_staff, staff_group, staff_login, totp_code

pytestmark = pytest.mark.django_db

ADD = reverse("admin:accounts_user_add")
NEW_PASSWORD = "Premier-jour-au-conseil-2026"


@pytest.fixture
def board_client(client, db):
    administrator = make_staff("admin.conseil", board_level=True, group=BOARD_ADMINISTRATION)
    return staff_login(client, administrator)


def invite(client, school, **changes):
    staff_group(SCHOOL_STAFF)  # the groups, after a transactional test's flush
    data = {"first_name": "Sophie", "last_name": "Lévesque", "email": "sophie.levesque@example.com",
            "preferred_language": "fr", "role": SCHOOL_STAFF,
            "schools": [str(school.pk)] if school else [], **changes}
    return client.post(ADD, data)


def invitation_url(user: User) -> str:
    email = OutboundEmail.objects.get(template="account/staff_invitation", recipient=user.email)
    return re.search(r"http://testserver(/\S+/)", render_email(email).body)[1]


def test_the_add_page_is_one_staff_form_in_french(board_client):
    html = html_of(board_client.get(ADD))

    assert french("Add a member of staff") in html
    for name in ["first_name", "last_name", "email", "role", "schools"]:
        assert f'name="{name}"' in html
    assert 'name="password1"' not in html and 'name="is_staff"' not in html
    for role in [SCHOOL_STAFF, HELP_DESK, BOARD_ADMINISTRATION]:
        assert f">{role}</option>" in html


def test_a_secretary_is_invited_with_her_role_and_schools(board_client):
    school = factories.SchoolFactory()

    response = invite(board_client, school)

    user = User.objects.get(email="sophie.levesque@example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:accounts_user_change", args=[user.pk])
    assert (user.username, user.is_staff, user.is_superuser) == ("slevesque", True, False)
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [SCHOOL_STAFF]
    profile = StaffProfile.objects.get(user=user)
    assert not profile.board_level and list(profile.schools.all()) == [school]
    [event] = AuditEvent.objects.filter(action=STAFF_INVITE, object_id=str(user.pk))
    assert event.after["role"] == SCHOOL_STAFF and event.after["schools"] == [school.pk]
    # Her own email, not the parents' validation email.
    assert list(OutboundEmail.objects.values_list("template", flat=True)) == [
        "account/staff_invitation"]
    message = render_email(OutboundEmail.objects.get())
    assert user.username in message.body
    assert "Si vous n'avez pas demandé de compte" not in message.body


def test_the_board_roles_are_board_level(board_client):
    invite(board_client, None, role=HELP_DESK)

    assert StaffProfile.objects.get(user__email="sophie.levesque@example.com").board_level


@pytest.mark.parametrize(("role", "with_school", "error"), [
    (SCHOOL_STAFF, False, "Choose the schools this person works for."),
    (HELP_DESK, True, "This role sees every school: choose no school."),
])
def test_a_role_and_schools_that_do_not_fit_are_refused(board_client, role, with_school, error):
    school = factories.SchoolFactory()

    response = invite(board_client, school if with_school else None, role=role)

    assert french(error) in html_of(response)
    assert not User.objects.filter(email="sophie.levesque@example.com").exists()
    assert not OutboundEmail.objects.exists()


def test_an_email_already_used_is_refused(board_client, family):
    response = invite(board_client, factories.SchoolFactory(), email=family.user.email.upper())

    assert french("An account already uses this email.") in html_of(response)
    assert User.objects.filter(is_staff=True).count() == 1


@pytest.mark.parametrize("group", [SCHOOL_STAFF, HELP_DESK])
def test_only_the_board_administration_adds_staff(client, family, group):
    staff = make_staff("quelquun", schools=[family.children[0].school], group=group,
                       board_level=group == HELP_DESK)
    staff_login(client, staff)

    assert client.post(ADD, {"first_name": "X", "role": BOARD_ADMINISTRATION}).status_code == 403
    assert User.objects.count() == 2


@pytest.mark.django_db(transaction=True)  # allauth signals the new device at commit
def test_the_invitation_sets_the_password_once_then_two_step_then_the_admin(board_client,
                                                                           client):
    invite(board_client, factories.SchoolFactory())
    user = User.objects.get(email="sophie.levesque@example.com")
    link = invitation_url(user)
    board_client.logout()

    page = html_of(client.get(link))
    assert user.username in page
    assert page.count('type="password"') == 1
    response = client.post(link, {"password": NEW_PASSWORD})

    # Logged in, on allauth's two-step page, which does not ask for the password again.
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    assert AuditEvent.objects.filter(action=STAFF_INVITATION_ACCEPT, actor=user).exists()
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 200
    secret = setup.context["form"].secret

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    codes = html_of(client.get(reverse("mfa_view_recovery_codes")))
    assert f'href="{reverse("admin:index")}"' in codes
    assert french("Continue to the administration") in codes
    # The device's code was checked: the admin opens without a second login.
    assert client.get(reverse("admin:index")).status_code == 200
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    # The link worked once.
    client.logout()
    assert french("This link no longer works") in html_of(client.get(link), status=404)


def test_a_wrong_or_short_password_is_refused_and_the_link_still_works(board_client, client):
    invite(board_client, factories.SchoolFactory())
    user = User.objects.get(email="sophie.levesque@example.com")
    link = invitation_url(user)
    board_client.logout()

    response = client.post(link, {"password": "court"})

    assert 'aria-invalid="true"' in html_of(response)
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert "_auth_user_id" not in client.session
    assert client.get(link).status_code == 200


def test_a_tampered_link_or_a_parents_account_gets_no_form(client, family):
    parent_link = reverse("accounts:staff_invitation", args=["1", "abc-def"])
    assert french("This link no longer works") in html_of(client.get(parent_link), status=404)
    assert client.post(parent_link, {"password": NEW_PASSWORD}).status_code == 404
    family.user.refresh_from_db()
    assert not family.user.check_password(NEW_PASSWORD)


def test_the_invitation_spares_the_password_only_for_a_while(board_client, client, settings):
    invite(board_client, factories.SchoolFactory())
    link = invitation_url(User.objects.get(email="sophie.levesque@example.com"))
    board_client.logout()
    client.post(link, {"password": NEW_PASSWORD})
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0

    reauthenticate = client.get(reverse("mfa_activate_totp"))["Location"]

    assert reauthenticate.startswith(reverse("account_reauthenticate"))
