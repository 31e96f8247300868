"""Every place that says whether a guardian sees a student agrees, for any link state.

Hypothesis draws a guardian link (custody, access rights, portal access, the student's age
around the 18th birthday, the adult's consent, the student's status) and a day, and checks
the parent's page, `students_visible_to`, the student's admin page ("Connexions au Portail
Famille"), the help desk's page of the account (its children) and the nightly 18-year task
against the rule
as Ontario's rule states it (at 18 a student controls their record: a guardian needs their
consent), computed here from the age in years.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from students.models import Student, StudentGuardian
from students.privacy import adult_access_end
from students.selectors import students_visible_to, visible_children
from tests import factories
from tests.pages import french, html_of
from tests.staff import HELP_DESK, make_staff, staff_login
from tests.students.test_linking import connection_row

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
# A school day, a 29 February, and the day after a 29 February in a common year.
DAYS = [datetime.date(2026, 11, 29), datetime.date(2028, 2, 29), datetime.date(2027, 3, 1)]


def age(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def eighteen_years_before(today: datetime.date) -> datetime.date:
    return today.replace(year=today.year - 18, day=min(today.day, 28)
                         if today.month == 2 else today.day)


def link_state(today: datetime.date, offset: int, *, status: str = Student.Status.ACTIVE,
               has_custody: bool = True, has_access_rights: bool = False,
               portal_access: bool = True, consent: bool = False) -> dict:
    """`offset`: days between 18 years before today and the student's birth."""
    return {"today": today, "born": eighteen_years_before(today) + datetime.timedelta(offset),
            "status": status, "has_custody": has_custody,
            "has_access_rights": has_access_rights, "portal_access": portal_access,
            "consent": consent}


@st.composite
def link_states(draw):
    # Mostly around the 18th birthday, where a rule can be off by one day.
    offset = draw(st.one_of(st.sampled_from([-1, 0, 1]), st.integers(-3000, 3000)))
    often = st.sampled_from([True, True, True, False])
    return link_state(
        draw(st.sampled_from(DAYS)), offset,
        status=draw(st.sampled_from(Student.Status.values)),
        has_custody=draw(often), has_access_rights=draw(st.booleans()),
        portal_access=draw(often), consent=draw(st.booleans()),
    )


def expected_access(state: dict) -> bool:
    adult = age(state["born"], state["today"]) >= 18
    return (state["portal_access"]
            and (state["has_custody"] or state["has_access_rights"])
            and (not adult or state["consent"])
            and state["status"] != Student.Status.WITHDRAWN)


def make_link(state: dict) -> StudentGuardian:
    user = factories.UserFactory()
    guardian = factories.GuardianFactory(user=user, email=user.email)
    student = factories.StudentFactory(date_of_birth=state["born"], status=state["status"])
    return factories.StudentGuardianFactory(
        student=student, guardian=guardian,
        has_custody=state["has_custody"], has_access_rights=state["has_access_rights"],
        portal_access=state["portal_access"],
        portal_access_off_reason="" if state["portal_access"] else "Ordonnance du tribunal",
        adult_consent_date=state["today"] if state["consent"] else None,
    )


@pytest.fixture
def agent():
    """A board-level help-desk agent: the help desk's pages and the student's admin page."""
    return make_staff("agent", board_level=True, group=HELP_DESK)


def helpdesk_sees(html: str, student: Student) -> bool:
    """The account's children on the help desk's page: "On", or why not."""
    row = re.search(rf'<th scope="row">{re.escape(student.first_name)} .*?</tr>', html, re.S)
    assert row, "the child is not listed on the help desk's page"
    return f"<td>{french('On')}</td>" in row.group(0)


@settings(max_examples=50, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=link_states())
# The 18th birthday, today or tomorrow, without consent, whatever February does.
@example(state=link_state(DAYS[0], 0))
@example(state=link_state(DAYS[0], 1))
@example(state=link_state(DAYS[1], 0))
@example(state=link_state(DAYS[1], 1))
@example(state=link_state(DAYS[2], 0))
@example(state=link_state(DAYS[2], 1))
def test_every_entry_point_agrees_on_who_sees_a_student(agent, state):
    today = state["today"]
    expected = expected_access(state)
    with (time_machine.travel(datetime.datetime.combine(today, datetime.time(10), TORONTO)),
          transaction.atomic()):
        link = make_link(state)
        user, student = link.guardian.user, link.student
        client = Client()
        client.force_login(user)
        agent_client = staff_login(Client(), agent)  # on the day: sessions expire

        page = client.get(reverse("students:details", args=[student.public_id]))
        assert page.status_code == (200 if expected else 404)
        assert (student in students_visible_to(user, today=today)) is expected
        assert (student in visible_children(user, today=today)) is expected
        admin_page = html_of(agent_client.get(
            reverse("admin:students_student_change", args=[student.pk])))
        sees = f"<td>\n        {french('Yes')}" in connection_row(admin_page, link.guardian)
        assert sees is expected
        helpdesk_page = html_of(agent_client.get(reverse("helpdesk:account", args=[user.pk])))
        assert helpdesk_sees(helpdesk_page, student) is expected

        # The nightly task ends exactly the links of adults without consent, and who
        # sees what stays the same: it records what the rule already says.
        adult_without_consent = age(state["born"], today) >= 18 and not state["consent"]
        ended = adult_access_end(today=today)
        assert ended == int(state["portal_access"] and adult_without_consent)
        link.refresh_from_db()
        assert link.portal_access is (state["portal_access"] and not adult_without_consent)
        assert (student in students_visible_to(user, today=today)) is expected
        assert (student in visible_children(user, today=today)) is expected
        transaction.set_rollback(True)
