"""Staff in tests: members of a school or of the board, in the migration's groups.

The admin refuses a session that did not pass allauth's TOTP step (accounts/staff.py):
`staff_login` opens one as allauth's login would (tests/staff_session.py);
tests/accounts/test_staff_mfa.py goes through the real steps.
"""

import time
from importlib import import_module

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import Group

from accounts.models import StaffProfile, User
from accounts.roles import BOARD_ADMINISTRATION, HELP_DESK, SCHOOL_STAFF, staff_groups_ensure
from portail.migration_operations import permissions_grant
from students.models import School
from tests import factories
from tests.staff_session import admin_login

__all__ = ["BOARD_ADMINISTRATION", "HELP_DESK", "SCHOOL_STAFF", "make_staff", "staff_group",
           "staff_login", "totp_code"]

# The apps above accounts give the groups their models' permissions in migrations of their
# own: [(app label, that migration's grants)].
STAFF_PERMISSIONS = [
    (app_label, import_module(f"{app_label}.migrations.{name}").GRANTS)
    for app_label, name in [("documents", "0003_staff_permissions"),
                            ("diplomas", "0003_staff_permissions"),
                            ("diplomas", "0008_category_caps"),
                            ("notifications", "0005_staff_post_announcements"),
                            ("absences", "0002_staff_permissions"),
                            ("absences", "0004_reason_permissions")]
]


def staff_group(name: str) -> Group:
    """One of the data migration's groups, built again if a transactional test's flush
    emptied the tables (as with --reuse-db)."""
    if not Group.objects.filter(name=name).exists():
        staff_groups_ensure()
        for app_label, grants in STAFF_PERMISSIONS:
            permissions_grant(django_apps, app_label=app_label, grants=grants)
    return Group.objects.get(name=name)


def make_staff(username: str, *, schools: list[School] = (), board_level: bool = False,
               group: str | None = SCHOOL_STAFF, **fields) -> User:
    """A member of staff in one of the migration's groups, with a staff profile."""
    user = factories.UserFactory(username=username, is_staff=True, **fields)
    if group:
        user.groups.add(staff_group(group))
    profile = StaffProfile.objects.create(user=user, board_level=board_level)
    profile.schools.set(schools)
    return user


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now, from a window with a few seconds left:
    a code read at the end of its window is refused by the time the server checks it."""
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 5:
        time.sleep(period - time.time() % period + 0.1)
    counter = int(time.time()) // period
    return format_hotp_value(hotp_value(secret, counter))


def staff_login(client, user: User, *, language: str = "fr"):
    """The test client, logged in as after allauth's password and TOTP steps, in French."""
    admin_login(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client
