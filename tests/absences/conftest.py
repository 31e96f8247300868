"""The absence tests' world: Monday 30 November 2026 in Toronto, the board's codes, and
Alice's family (an elementary child and a secondary one, both in her custody)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from students.models import AttendanceCode
from tests import factories

MONDAY = datetime.date(2026, 11, 30)
TORONTO = ZoneInfo("America/Toronto")


def at(hour: int, minute: int = 0, day: datetime.date = MONDAY) -> time_machine.travel:
    """The clock stopped at that time in Toronto."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour, minute),
                                                         TORONTO), tick=False)


@pytest.fixture
def codes(db):
    """The board's codes a report becomes, and the teacher's unexcused absence."""
    return {
        "ABS": factories.AttendanceCodeFactory(code="ABS"),
        "RTM": factories.AttendanceCodeFactory(code="RTM", label_fr="Retard motivé",
                                               label_en="Excused late",
                                               kind=AttendanceCode.Kind.LATE),
        "ANM": factories.AttendanceCodeFactory(code="ANM", label_fr="Absence non motivée",
                                               label_en="Unexcused absence", excused=False),
    }


@pytest.fixture
def year(db):
    return factories.SchoolYearFactory()


@pytest.fixture
def alice(client, family, year, codes, reasons):
    client.force_login(family.user)
    return family
