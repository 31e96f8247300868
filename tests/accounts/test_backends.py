"""The user of each request (LoginBackend.get_user, through portail.compiled): the same
row as the ORM's, read on every request, so a change shows on the very next one."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.urls import reverse

from accounts.backends import LoginBackend

pytestmark = pytest.mark.django_db


def _values(user) -> dict:
    return {field.attname: getattr(user, field.attname)
            for field in type(user)._meta.concrete_fields}


def test_the_same_user_as_the_orm(family, charlie):
    for user in (family.user, charlie):
        loaded = LoginBackend().get_user(str(user.pk))
        assert _values(loaded) == _values(ModelBackend().get_user(user.pk))
        assert not loaded._state.adding and loaded._state.db == "default"


@pytest.mark.parametrize("user_id", ["0", "-1", "not-an-id", ""])
def test_no_user_for_an_unknown_or_malformed_id(family, user_id):
    assert LoginBackend().get_user(user_id) is None


def test_one_query(family, django_assert_num_queries):
    LoginBackend().get_user(family.user.pk)  # compiled, if no other test did
    with django_assert_num_queries(1):
        assert LoginBackend().get_user(family.user.pk) == family.user


def test_an_account_turned_off_is_logged_out_on_the_next_request(client, family):
    client.force_login(family.user)
    assert client.get(reverse("students:family")).status_code == 200
    get_user_model().objects.filter(pk=family.user.pk).update(is_active=False)
    assert LoginBackend().get_user(family.user.pk) is None
    assert client.get(reverse("students:family")).status_code == 302
