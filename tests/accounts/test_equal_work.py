"""Known and unknown accounts cost the sign-in pages the same work: the same
password hashes, the same queries and writes, the same tasks queued, the same page.
The times themselves are measured from outside by bench/signin_timing.py."""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.hashers import OwaspArgon2PasswordHasher
from outbox.models import OutboundEmail
from tests.accounts.conftest import account_data, page_text

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass(frozen=True)
class Work:
    hashes: int
    queries: int
    writes: int
    tasks: int


@pytest.fixture
def measure(monkeypatch, django_capture_on_commit_callbacks):
    """`measure(post)`: the work the request did, and its page without its CSRF token."""
    runs = []

    def counted(method):
        def run(*args, **kwargs):
            runs.append(method.__name__)
            return method(*args, **kwargs)
        return run

    # The real hasher, counted: every Argon2 run, a check (verify) or a dummy (encode).
    for name in ("verify", "encode"):
        monkeypatch.setattr(OwaspArgon2PasswordHasher, name,
                            counted(getattr(OwaspArgon2PasswordHasher, name)))

    def work_of(post) -> tuple[Work, object]:
        runs.clear()
        emails_before = OutboundEmail.objects.count()
        with CaptureQueriesContext(connection) as queries, \
                django_capture_on_commit_callbacks() as callbacks:
            response = post()
        writes = [q for q in queries.captured_queries if q["sql"].lstrip().startswith(WRITES)]
        assert OutboundEmail.objects.count() == emails_before  # the worker writes them
        return Work(hashes=len(runs), queries=len(queries), writes=len(writes),
                    tasks=len(callbacks)), response
    return work_of


@pytest.mark.parametrize("known, unknown", [
    ("alice.tremblay", "inconnu.tremblay"),
    ("alice.tremblay@example.com", "inconnu@example.com"),
])
def test_a_wrong_password_costs_one_hash_for_a_known_or_unknown_login(
    client, family, measure, known, unknown
):
    def log_in(login):
        return lambda: client.post(reverse("account_login"),
                                   {"login": login, "password": "pas le bon mot de passe"})

    known_work, known_page = measure(log_in(known))
    unknown_work, unknown_page = measure(log_in(unknown))

    assert known_work == unknown_work
    assert known_work.hashes == 1
    assert page_text(known_page).replace(known, "LOGIN") == \
        page_text(unknown_page).replace(unknown, "LOGIN")


def test_a_user_without_a_usable_password_costs_the_same_hash(client, family, measure):
    family.user.set_unusable_password()
    family.user.save()

    work, _page = measure(lambda: client.post(reverse("account_login"), {
        "login": "alice.tremblay", "password": "pas le bon mot de passe"}))

    assert work.hashes == 1


@pytest.mark.parametrize("known, unknown", [
    ("alice.tremblay", "inconnu.tremblay"),
    ("alice.tremblay@example.com", "inconnu@example.com"),
])
def test_a_reset_request_does_the_same_work_for_a_known_or_unknown_account(
    client, family, measure, known, unknown
):
    def ask(typed):
        return lambda: client.post(reverse("account_reset_password"), {"email": typed})

    known_work, known_response = measure(ask(known))
    unknown_work, unknown_response = measure(ask(unknown))

    assert known_work == unknown_work
    assert (known_work.hashes, known_work.writes, known_work.tasks) == (0, 0, 1)
    assert known_response["Location"] == unknown_response["Location"]


def test_login_id_recovery_does_the_same_work_for_a_known_or_unknown_address(
    client, family, measure
):
    def ask(email):
        return lambda: client.post(reverse("accounts:recover_login_id"), {"email": email})

    known_work, known_page = measure(ask(family.user.email))
    unknown_work, unknown_page = measure(ask("personne@example.com"))

    assert known_work == unknown_work
    assert (known_work.writes, known_work.tasks) == (0, 1)
    assert page_text(known_page).replace(family.user.email, "ADDRESS") == \
        page_text(unknown_page).replace("personne@example.com", "ADDRESS")


def test_sign_up_does_the_same_work_for_a_known_or_new_address(
    client, signup_step_two, family, measure
):
    def sign_up(email):
        signup_step_two()
        return lambda: client.post(reverse("accounts:signup_account"), account_data(email))

    known_work, known_response = measure(sign_up(family.user.email))
    new_work, new_response = measure(sign_up("nouveau@example.com"))

    assert known_work == new_work
    # The password and the security answer; no account row before the worker.
    assert (known_work.hashes, known_work.tasks) == (2, 1)
    assert known_response["Location"] == new_response["Location"]
