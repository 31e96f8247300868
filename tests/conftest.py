"""Shared fixtures. Real services where behaviour depends on them.

Without PostgreSQL, Redis or Chromium, the tests that need them skip with the reason; in CI
(PORTAIL_REQUIRE_SERVICES=1) a missing service fails instead.
"""

import os
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import caches

from diplomas.models import Programme
from tests import factories
from tests.staff import make_staff, staff_login
from tests.students import famille_factories

REQUIRE_SERVICES = os.environ.get("PORTAIL_REQUIRE_SERVICES") == "1"
PROGRAMMES_MIGRATIONS = [
    (import_module("diplomas.migrations.0002_programmes"), "load_programmes"),
    (import_module("diplomas.migrations.0007_category_grade_slots"), "programme_slots"),
    (import_module("diplomas.migrations.0008_category_caps"), "load_caps"),
]

# The SMTP sink, Redis and Celery workers that the email, import and report-card tests share.
pytest_plugins = ["tests.real_services"]


def require(available: bool, reason: str) -> None:
    """Skip when a real service is missing, or fail in CI where it must be there."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (PORTAIL_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


def pytest_sessionstart(session):
    engine = settings.DATABASES["default"]["ENGINE"]
    if REQUIRE_SERVICES and "postgresql" not in engine:
        raise pytest.UsageError(
            f"CI must run on PostgreSQL (DATABASE_URL), not {engine}."
        )


@pytest.fixture
def postgresql():
    require(
        "postgresql" in settings.DATABASES["default"]["ENGINE"],
        "needs PostgreSQL: set DATABASE_URL=postgres://…",
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits and cached pages live in the caches: each test starts with none.
    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


@pytest.fixture
def reasons(db) -> dict:
    return factories.absence_reasons()


@pytest.fixture
def family(db):
    """Alice's family: two children in two schools, the usual subject of access tests."""
    return factories.make_family(last_name="Tremblay", parent_first_name="Alice")


@pytest.fixture
def programmes(db):
    """The diploma programmes of the data migration. A transactional test's flush empties
    their tables, and --reuse-db keeps the emptied database for the next run: loaded again
    when missing."""
    if not Programme.objects.exists():
        for migration, function in PROGRAMMES_MIGRATIONS:
            getattr(migration, function)(apps, None)


@pytest.fixture
def other_family(db):
    """Bob's family: their child must never appear to Alice."""
    return factories.make_family(last_name="Gagnon", parent_first_name="Bob", children=1)


@pytest.fixture
def charlie(db):
    """A validated account with no guardian link: sees no student."""
    return factories.UserFactory(username="charlie", first_name="Charlie")


@pytest.fixture
def secretary(family):
    """Sophie, secretary of the schools of Alice's children (a module may mean another)."""
    return make_staff("secretariat", first_name="Sophie",
                      schools=[child.school for child in family.children])


@pytest.fixture
def secretary_client(client, secretary):
    return staff_login(client, secretary)


@pytest.fixture
def famille_today():
    """The Famille tests' clock (famille_factories.TODAY, in semester 1), then ticking."""
    with famille_factories.frozen_today():
        yield
