"""The accounts admin: find an account, correct it, never see or type a password hash."""

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tests import factories
from tests.pages import french
from tests.staff import HELP_DESK, make_staff, staff_login
from tests.students.test_admin import count_queries, form_data

CHANGELIST = "admin:accounts_user_changelist"
PASSWORD_FORM = "admin:auth_user_password_change"


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


def test_an_email_already_used_in_another_case_is_refused(staff_client, family):
    user = make_staff("colleague", email="bob.gagnon@example.com")
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


@pytest.fixture
def agent_client(client, db):
    agent = make_staff("agent.aide", board_level=True, group=HELP_DESK)
    return staff_login(client, agent)


def change_page(client, user: User) -> str:
    return client.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()


def test_the_help_desk_neither_sees_nor_sets_a_password(agent_client, family):
    user = family.user
    password_form = reverse(PASSWORD_FORM, args=[user.pk])

    html = change_page(agent_client, user)
    response = agent_client.post(password_form, {"password1": "Choisi-Par-L-Aide-2026",
                                                 "password2": "Choisi-Par-L-Aide-2026"})

    assert "../password/" not in html and password_form not in html
    assert reverse("helpdesk:account", args=[user.pk]) in html  # where a reset link is sent
    assert agent_client.get(password_form).status_code == 403
    assert response.status_code == 403
    user.refresh_from_db()
    assert check_password(factories.PASSWORD, user.password)


def test_a_superuser_sets_a_password_but_never_unsets_one(staff_client, family):
    user = family.user
    password_form = reverse(PASSWORD_FORM, args=[user.pk])

    assert 'name="usable_password"' not in staff_client.get(password_form).content.decode()
    response = staff_client.post(password_form, {"usable_password": "false",
                                                 "unset-password": "1"})

    assert response.status_code == 200  # the form again: a password is required
    user.refresh_from_db()
    assert check_password(factories.PASSWORD, user.password)


@pytest.mark.parametrize("client_fixture", ["agent_client", "staff_client"])
def test_a_family_email_changes_only_in_the_help_centre(request, client_fixture, family):
    client = request.getfixturevalue(client_fixture)
    user = family.user
    address = user.email
    change = reverse("admin:accounts_user_change", args=[user.pk])
    response = client.get(change)
    data = form_data(response, "user_form")
    data["email"] = "nouvelle.adresse@example.org"
    data["preferred_language"] = "en"

    assert client.post(change, data).status_code == 302
    user.refresh_from_db()
    assert user.email == address
    assert user.preferred_language == "en"  # the rest of the form still saves
    with translation.override("fr"):
        help_text = str(_("Changed in the user help centre, which records the reason and "
                          "tells the old address."))
    assert help_text in response.content.decode()  # the admin prints help texts as they are


def test_a_school_sees_no_link_it_cannot_follow(secretary_client, family):
    html = change_page(secretary_client, family.user)

    assert family.user.email in html  # the page itself is open to the school
    assert "/password/" not in html
    assert reverse("helpdesk:account", args=[family.user.pk]) not in html


def test_the_help_desk_changes_a_parents_email_address_never_a_colleagues(client, family):
    """A staff account's addresses are the board administration's, as the account is: the
    help desk, talked into it, would otherwise put its own address on a colleague's or a
    superuser's account, verified, or move a parent's address onto one."""
    from allauth.account.models import EmailAddress

    agent = make_staff("agent", board_level=True, group=HELP_DESK)
    colleague = make_staff("collegue", email="collegue@example.ca")
    superuser = factories.UserFactory(username="chef", is_staff=True, is_superuser=True,
                                      email="chef@example.ca")
    staff_login(client, agent)
    for account in (colleague, superuser):
        address, _ = EmailAddress.objects.get_or_create(
            user=account, email=account.email, defaults={"verified": True, "primary": True})
        url = reverse("admin:account_emailaddress_change", args=[address.pk])
        response = client.post(url, {"user": account.pk, "email": "pirate@example.com",
                                     "verified": "on", "primary": "on", "_save": "1"})
        assert response.status_code == 403
        address.refresh_from_db()
        assert address.email == account.email

    parents = EmailAddress.objects.get(user=family.user)
    url = reverse("admin:account_emailaddress_change", args=[parents.pk])
    response = client.post(url, {"user": superuser.pk, "email": "parent.new@example.com",
                                 "primary": "on", "_save": "1"})
    assert response.status_code == 302
    parents.refresh_from_db()
    # Marked unverified; its email is changed in the help centre only, which records why.
    assert (parents.user, parents.email, parents.verified) == (
        family.user, family.user.email, False)


def test_the_help_desks_verify_action_leaves_a_colleagues_address_alone(client, family):
    from allauth.account.models import EmailAddress

    agent = make_staff("agent", board_level=True, group=HELP_DESK)
    colleague = make_staff("collegue", email="collegue@example.ca")
    staff_login(client, agent)
    EmailAddress.objects.filter(user__in=[colleague, family.user]).update(verified=False)
    addresses = EmailAddress.objects.filter(user__in=[colleague, family.user])
    client.post(reverse("admin:account_emailaddress_changelist"), {
        "action": "make_verified", "_selected_action": [a.pk for a in addresses]})
    assert dict(addresses.values_list("user__username", "verified")) == {
        "collegue": False, family.user.username: True}
