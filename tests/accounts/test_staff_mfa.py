"""The admin is reached only through allauth's login, with a TOTP second factor for staff.

Parents are unaffected: their login has no second step unless they chose one, and the admin
is closed to them.
"""

import pytest
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.conf import settings
from django.urls import reverse

from tests import factories
from tests.pages import french, html_of
from tests.staff import make_staff, totp_code
from tests.staff_session import totp_secret_for

pytestmark = pytest.mark.django_db

ADMIN = reverse("admin:index")
STUDENTS = reverse("admin:students_student_changelist")
LOGIN = reverse("account_login")


def log_in(client, user, password: str = factories.PASSWORD, next_url: str = ADMIN):
    return client.post(f"{LOGIN}?next={next_url}", {"login": user.username,
                                                   "password": password})


def logged_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def secretary(db):
    return make_staff("secretariat", first_name="Sophie", schools=[factories.SchoolFactory()])


def test_the_middleware_is_installed():
    assert "accounts.staff.StaffTwoStepMiddleware" in settings.MIDDLEWARE


def test_an_anonymous_visitor_is_sent_to_allauths_login(client):
    response = client.get(STUDENTS)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={STUDENTS}"


def test_djangos_admin_login_form_is_never_used(client, secretary):
    response = client.get(reverse("admin:login"), {"next": STUDENTS})
    assert response["Location"] == f"{LOGIN}?next={STUDENTS}"

    # Its form cannot be posted to either: no login that skips allauth's limits.
    response = client.post(reverse("admin:login"), {"username": secretary.username,
                                                    "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert logged_in_as(client) is None


def test_staff_without_a_totp_device_are_sent_to_set_one_up(client, secretary):
    client.force_login(secretary)

    response = client.get(STUDENTS, follow=True)

    assert response.redirect_chain[0] == (reverse("mfa_activate_totp"), 302)
    assert french("Set up two-step login to open the administration.") in html_of(response)


def test_a_session_without_the_second_factor_is_refused(client, secretary):
    totp_secret_for(secretary)
    client.force_login(secretary)  # as if the password alone had been checked

    response = client.get(STUDENTS)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={STUDENTS}"
    assert logged_in_as(client) is None  # logged out, not merely redirected
    assert client.get(ADMIN).status_code == 302


def test_the_full_login_with_the_totp_code_opens_the_admin(client, secretary):
    secret = totp_secret_for(secretary)

    response = log_in(client, secretary, next_url=STUDENTS)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(STUDENTS).status_code == 302  # not logged in before the code

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert response["Location"] == STUDENTS
    assert logged_in_as(client) == str(secretary.pk)
    response = client.get(STUDENTS)
    assert response.status_code == 200
    assert "cl" in response.context


def test_a_wrong_totp_code_does_not_open_the_admin(client, secretary):
    totp_secret_for(secretary)
    log_in(client, secretary)

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert response.status_code == 200
    assert logged_in_as(client) is None
    assert client.get(ADMIN).status_code == 302


def test_the_login_spares_the_password_only_for_a_while(client, secretary, settings):
    log_in(client, secretary)
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0

    reauthenticate = client.get(reverse("mfa_activate_totp"))["Location"]

    assert reauthenticate.startswith(reverse("account_reauthenticate"))


@pytest.mark.django_db(transaction=True)  # allauth signals the new device at commit
def test_a_new_staff_member_sets_up_totp_then_logs_in_with_it(client, secretary):
    assert log_in(client, secretary)["Location"] == ADMIN  # no second step yet
    assert client.get(ADMIN)["Location"] == reverse("mfa_activate_totp")

    # The password typed at the login is not asked again to add the first device.
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert secretary.authenticator_set.filter(type="totp").exists()

    # The activation checked a code from the device: on to the admin, no second login.
    assert client.get(ADMIN).status_code == 200

    # The next session needs the code at login.
    client.logout()
    log_in(client, secretary)
    assert client.get(ADMIN)["Location"] == f"{LOGIN}?next={ADMIN}"
    log_in(client, secretary)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.get(ADMIN).status_code == 200


def test_admin_logins_count_against_allauths_rate_limits(client, secretary):
    totp_secret_for(secretary)
    for _attempt in range(5):
        log_in(client, secretary, password="pas-le-bon-mot-de-passe")

    response = log_in(client, secretary)

    assert response.status_code == 200  # the form again, with the limit's message
    assert logged_in_as(client) is None


def test_parents_are_unaffected(client, family):
    response = log_in(client, family.user, next_url=reverse("students:family"))

    assert response["Location"] == reverse("students:family")
    assert client.get(reverse("students:family")).status_code == 200
    # The admin is not for them: back to their home page.
    assert client.get(ADMIN)["Location"] == reverse("home")
    assert client.get(reverse("admin:login"))["Location"] == reverse("home")
