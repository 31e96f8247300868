"""The home page's queries compiled once (portail.compiled) give exactly the objects of
the querysets that say the rule: the groups in every case of the access matrix, seeing a
change on the very next call, and the recent report cards' files."""

import datetime

import pytest

from documents import selectors as document_selectors
from notifications import selectors
from notifications.models import Group
from students.selectors import visible_children
from tests import factories
from tests.notifications.document_factories import published_report_card
from tests.notifications.test_groups import groups_for
from tests.portail.test_compiled import values_of
from tests.students.famille_factories import TODAY
from tests.students.test_visible_children import CASES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("famille_today")]


def assert_same_groups(user) -> set[Group]:
    children = visible_children(user)
    expected = list(selectors.groups_of_children(children).only(
        "public_id", "name", "version", "school__name"))
    compiled = selectors.home_groups(children)
    assert [values_of(group) for group in compiled] == [values_of(group) for group in expected]
    return set(compiled)


@pytest.mark.parametrize("case", CASES)
def test_the_groups_are_the_querysets(family, other_family, charlie, case):
    mine = groups_for(family)
    theirs = Group.objects.create(kind=Group.Kind.SCHOOL, name="Leur école",
                                  school=other_family.children[0].school)
    # Another grade of Alice's elementary school: nobody's.
    Group.objects.create(kind=Group.Kind.GRADE, name="5e année", grade=5,
                         school=family.children[0].school)
    assert assert_same_groups(family.user) == set(mine.values())
    CASES[case](family, other_family)
    # The next call sees the change: the SQL was compiled before, the rows are new.
    seen = assert_same_groups(family.user)
    assert mine["board"] in seen
    assert (theirs in seen) == (case == "linked to the other family's child")
    assert assert_same_groups(other_family.user) == {mine["board"], theirs}
    assert assert_same_groups(charlie) == set()


def test_a_class_of_a_term_over_is_no_longer_a_group(family):
    mine = groups_for(family)
    term = mine["section"].section.term
    term.end_date = TODAY - datetime.timedelta(days=1)
    term.save()
    assert mine["section"] not in assert_same_groups(family.user)


def test_each_number_of_children(family):
    mine = groups_for(family)
    for count in range(3):
        extra = factories.StudentFactory(school=family.children[0].school, grade=6 + count)
        factories.StudentGuardianFactory(student=extra, guardian=family.guardian)
        grade = Group.objects.create(kind=Group.Kind.GRADE, name=f"{6 + count}e année",
                                     grade=6 + count, school=extra.school)
        assert grade in assert_same_groups(family.user)
        assert assert_same_groups(family.user) == {*mine.values(),
                                                   *Group.objects.filter(grade__gte=6)}


def test_the_recent_files_are_the_querysets(family, other_family):
    first, second = family.children
    published_report_card(first, publication_date=TODAY, version=2)
    published_report_card(second, publication_date=TODAY - datetime.timedelta(days=29))
    published_report_card(second, publication_date=TODAY - datetime.timedelta(days=30))
    published_report_card(other_family.children[0], publication_date=TODAY)
    compiled = document_selectors.RECENT_FILES
    for children, days in (((first,), 30), ((first, second), 30), ((second, first), 31),
                           ((second,), 1), (tuple(other_family.children), 30)):
        pks = tuple(child.pk for child in children)
        expected = list(compiled.queryset(pks, TODAY, days))
        rows = compiled.rows(pks, TODAY, days)
        assert [values_of(row) for row in rows] == [values_of(row) for row in expected]
    listed = document_selectors.recent_report_card_files(family.children)
    assert [(stored.card.student, stored.version) for stored in listed] == [(first, 2),
                                                                            (second, 1)]
    assert document_selectors.recent_report_card_files([]) == []
