"""visible_children (the access query compiled once by the ORM, portail.compiled) gives
exactly the rows of students_visible_to, field by field, with their school, in every case of
the access matrix, and sees a change on the very next call."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from students.models import Student
from students.privacy import adult_access_end
from students.selectors import (
    ACCESS_RULES,
    REPORTING_RULES,
    students_visible_to,
    visible_children,
)
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 29)


def _values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname)
            for field in type(instance)._meta.concrete_fields}


def _assert_same_rows(user, today=TODAY, rules=ACCESS_RULES) -> list[Student]:
    expected = list(students_visible_to(user, today=today, rules=rules))
    compiled = visible_children(user, today=today, rules=rules)
    assert [_values(child) for child in compiled] == [_values(child) for child in expected]
    assert [_values(child.school) for child in compiled] == [
        _values(child.school) for child in expected]
    assert all(child._state.db == "default" and not child._state.adding for child in compiled)
    return compiled


def _turn_off_access(family, other_family):
    link = family.links[0]
    link.portal_access = False
    link.portal_access_off_reason = "Ordonnance du tribunal"
    link.save()


def _adult_without_consent(family, other_family):
    child = family.children[0]
    child.date_of_birth = datetime.date(2008, 11, 29)  # 18 on TODAY
    child.save()


def _adult_with_consent(family, other_family):
    _adult_without_consent(family, other_family)
    family.links[0].adult_consent_date = TODAY
    family.links[0].save()


def _withdrawn(family, other_family):
    child = family.children[0]
    child.status = Student.Status.WITHDRAWN
    child.save()


def _court_order(family, other_family):
    # No custody and no access rights left to this parent.
    link = family.links[0]
    link.has_custody = False
    link.has_access_rights = False
    link.save()


def _access_rights_only(family, other_family):
    link = family.links[0]
    link.has_custody = False
    link.has_access_rights = True
    link.save()


def _link_ended(family, other_family):
    family.links[0].delete()


def _ended_at_18_by_the_nightly_task(family, other_family):
    _adult_without_consent(family, other_family)
    assert adult_access_end(today=TODAY) == 1


def _joined_other_family(family, other_family):
    # Bob's child gets a link to Alice's guardian record too.
    factories.StudentGuardianFactory(student=other_family.children[0], guardian=family.guardian)


CASES = {
    "as is": lambda family, other_family: None,
    "access turned off": _turn_off_access,
    "18 without consent": _adult_without_consent,
    "18 with consent": _adult_with_consent,
    "withdrawn": _withdrawn,
    "court order": _court_order,
    "access rights only": _access_rights_only,
    "link ended": _link_ended,
    "ended at 18 by the nightly task": _ended_at_18_by_the_nightly_task,
    "linked to the other family's child": _joined_other_family,
}


@pytest.mark.parametrize("rules", [ACCESS_RULES, REPORTING_RULES], ids=["see", "report"])
@pytest.mark.parametrize("case", CASES)
def test_the_same_rows_as_the_queryset(family, other_family, charlie, case, rules):
    before = _assert_same_rows(family.user, rules=rules)
    assert len(before) == 2
    CASES[case](family, other_family)
    # The next call sees the change: the SQL was compiled by the first, the rows are new.
    _assert_same_rows(family.user, rules=rules)
    _assert_same_rows(other_family.user, rules=rules)
    assert _assert_same_rows(charlie, rules=rules) == []


def test_each_day_its_rule(family):
    _adult_without_consent(family, None)
    eve = TODAY - datetime.timedelta(days=1)
    assert len(_assert_same_rows(family.user, today=eve)) == 2
    assert len(_assert_same_rows(family.user, today=TODAY)) == 1
    assert len(_assert_same_rows(family.user, today=eve)) == 2


def test_anonymous_user_sees_nothing(family):
    assert visible_children(AnonymousUser()) == []


@pytest.mark.parametrize("children", [1, 10])
def test_one_query_with_the_schools(django_assert_num_queries, children):
    parent = factories.make_family(last_name="Nombreux", parent_first_name="Dana",
                                   children=children)
    visible_children(parent.user)  # compiled, if no other test did
    with django_assert_num_queries(1):
        schools = [child.school.name for child in visible_children(parent.user)]
    assert len(schools) == children
