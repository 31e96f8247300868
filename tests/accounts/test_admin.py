"""The accounts admin: find an account, correct it, never see or type a password hash."""

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.text import capfirst

from accounts.models import User
from tests import factories
from tests.pages import french
from tests.staff import staff_login
from tests.students.test_admin import count_queries, form_data

CHANGELIST = "admin:accounts_user_changelist"


@pytest.fixture
def staff_client(client, db):
    helpdesk = factories.UserFactory(username="aide", is_staff=True, is_superuser=True)
    return staff_login(client, helpdesk)


def listed(response) -> list[User]:
    return list(response.context["cl"].result_list)


def test_user_list_shows_login_id_name_and_email(staff_client, family):
    html = staff_client.get(reverse(CHANGELIST)).content.decode()
    assert "alice.tremblay" in html
    assert "Alice Tremblay" in html
    assert family.user.email in html


@pytest.mark.parametrize("typed", ["alice.trem", "ALICE.TREMBLAY@example", "tremblay"])
def test_search_by_login_id_email_or_name(staff_client, family, other_family, typed):
    assert listed(staff_client.get(reverse(CHANGELIST), {"q": typed})) == [family.user]


def test_change_page_has_the_preferred_language_and_no_password_field(staff_client, family):
    response = staff_client.get(reverse("admin:accounts_user_change", args=[family.user.pk]))
    html = response.content.decode()
    assert 'name="preferred_language"' in html
    assert 'name="password"' not in html
    assert family.user.password not in html
    assert 'href="../password/"' in html  # Django's own form to set a new password


def test_a_posted_password_hash_is_ignored(staff_client, family):
    user = family.user
    change = reverse("admin:accounts_user_change", args=[user.pk])
    data = form_data(staff_client.get(change), "user_form")
    data["password"] = "pbkdf2_sha256$1$sel$forged"
    data["preferred_language"] = "en"

    assert staff_client.post(change, data).status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == "en"
    assert check_password(factories.PASSWORD, user.password)


def test_an_email_already_used_in_another_case_is_refused(staff_client, family, other_family):
    user = other_family.user
    change = reverse("admin:accounts_user_change", args=[user.pk])
    data = form_data(staff_client.get(change), "user_form")
    data["email"] = family.user.email.upper()

    response = staff_client.post(change, data)

    assert response.status_code == 200
    constraint = next(c for c in User._meta.constraints if c.name == "user_unique_email_ci")
    with translation.override("fr"):
        message = str(constraint.get_violation_error_message())
    assert escape(message) in response.content.decode()
    user.refresh_from_db()
    assert user.email == "bob.gagnon@example.com"


def test_user_list_queries_do_not_grow_with_the_accounts(staff_client,
                                                         django_assert_max_num_queries):
    changelist = reverse(CHANGELIST)
    factories.UserFactory.create_batch(3)
    count_queries(staff_client, changelist)
    few = count_queries(staff_client, changelist)

    factories.UserFactory.create_batch(27)
    with django_assert_max_num_queries(few):
        response = staff_client.get(changelist)
    assert len(listed(response)) == 31


def test_each_section_of_the_admin_home_page_has_its_own_name(staff_client):
    """Two sections once read "Comptes" (ours and allauth's email addresses), two
    "Notifications" (the home page's and the email outbox)."""
    response = staff_client.get(reverse("admin:index"))

    names = [app["name"].casefold() for app in response.context["app_list"]]
    assert len(names) == len(set(names)), names
    sections = {app["app_label"]: app["name"] for app in response.context["app_list"]}
    assert sections["outbox"] == capfirst(french("outgoing emails"))
    assert sections["account"] == french("Email Addresses")
