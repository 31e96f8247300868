"""A new secretary's first day in Chromium, in French: the board adds her in one form; from
her invitation email she types a password once, sets up two-step login, sees her recovery
codes and goes on to the admin, where her school's students are. No console error."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.roles import BOARD_ADMINISTRATION, SCHOOL_STAFF
from portail.celery import app as celery_app
from tests import factories
from tests.browser.conftest import axe_check
from tests.browser.test_admin_linking import admin_login, choose
from tests.pages import french
from tests.staff import make_staff, staff_group, totp_code
from tests.staff_session import totp_secret_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Premier-jour-au-conseil-2026"


@pytest.fixture(autouse=True)
def emails_in_process(monkeypatch):
    """The live server sends emails at commit, in process (even when CI sets REDIS_URL)."""
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)


def test_a_new_secretary_is_invited_and_arrives_in_the_admin(page: Page, live_server):
    school = factories.SchoolFactory(name="École secondaire publique Louis-Riel")
    student = factories.StudentFactory(school=school)
    staff_group(SCHOOL_STAFF)
    administrator = make_staff("admin.conseil", board_level=True, group=BOARD_ADMINISTRATION)
    add = reverse("admin:accounts_user_add")

    admin_login(page, live_server, administrator, totp_secret_for(administrator), add)
    expect(page.get_by_role("heading", level=1)).to_have_text(french("Add a member of staff"))
    page.get_by_label(french("first name").capitalize()).fill("Sophie")
    page.get_by_label(french("last name").capitalize()).fill("Lévesque")
    page.get_by_label(french("main email").capitalize()).fill("sophie.levesque@example.com")
    page.get_by_label(french("Role")).select_option(SCHOOL_STAFF)
    choose(page, "id_schools", "Louis", school.name)
    page.get_by_role("button", name=french("Send the invitation")).click()
    expect(page.locator(".messagelist")).to_contain_text("sophie.levesque@example.com")

    # Her own email: its link, then a new browser session (she is someone else).
    sophie = User.objects.get(email="sophie.levesque@example.com")
    [message] = [email for email in mail.outbox if email.to == [sophie.email]]
    link = re.search(r"http://\S+/compte/personnel/invitation/\S+/", message.body)[0]
    path = link.split("/", 3)[3]
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/{path}")
    expect(page.locator("main")).to_contain_text(sophie.username)
    axe_check(page)
    passwords = page.locator("main input[type=password]")
    expect(passwords).to_have_count(1)
    passwords.fill(NEW_PASSWORD)
    page.get_by_role("button", name=french("Save my password")).click()

    # Two-step login, without the password again.
    page.wait_for_url(live_server.url + reverse("mfa_activate_totp"))
    secret = page.locator("#totp-secret").inner_text().strip()
    page.locator("main input[name=code]").fill(totp_code(secret))
    page.get_by_role("button", name=french("Turn on two-step login")).click()
    page.wait_for_url(live_server.url + reverse("mfa_view_recovery_codes"))
    expect(page.locator(".recovery-codes li")).not_to_have_count(0)
    axe_check(page)

    page.get_by_role("link", name=french("Continue to the administration")).click()
    page.wait_for_url(live_server.url + reverse("admin:index"))
    page.goto(live_server.url + reverse("admin:students_student_changelist"))
    expect(page.locator("#result_list")).to_contain_text(student.last_name)
