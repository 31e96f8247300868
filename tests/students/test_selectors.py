"""Who may see which student: a linked guardian with custody or access rights and portal
access on, while the student is not withdrawn, and past 18 only with the student's consent."""

import datetime
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from students.models import Student
from students.selectors import student_for_parent, students_visible_to
from tests import factories

pytestmark = pytest.mark.django_db


def _visible(user, **kwargs) -> set[Student]:
    return set(students_visible_to(user, **kwargs))


def test_parent_sees_both_children_in_two_schools(family, other_family):
    assert _visible(family.user) == set(family.children)
    assert len({child.school_id for child in family.children}) == 2
    for child in family.children:
        assert student_for_parent(family.user, child.public_id) == child
        assert student_for_parent(family.user, str(child.public_id)) == child


def test_parent_never_sees_another_familys_child(family, other_family):
    [bob_child] = other_family.children
    assert bob_child not in _visible(family.user)
    assert _visible(other_family.user) == {bob_child}
    with pytest.raises(Http404):
        student_for_parent(family.user, bob_child.public_id)


@pytest.mark.parametrize("public_id", [uuid.uuid4(), "00000000-0000-0000-0000-000000000000",
                                       "not-a-uuid", "123456789", ""])
def test_unknown_or_malformed_public_id_is_a_404(family, public_id):
    with pytest.raises(Http404):
        student_for_parent(family.user, public_id)


def test_niso_or_primary_key_is_not_a_public_id(family):
    child = family.children[0]
    for guess in (child.niso, child.pk, str(child.pk)):
        with pytest.raises(Http404):
            student_for_parent(family.user, guess)


def test_portal_access_turned_off_hides_the_child(family):
    hidden, shown = family.links
    hidden.portal_access = False
    hidden.portal_access_off_reason = "Ordonnance du tribunal"
    hidden.save()
    assert _visible(family.user) == {shown.student}
    with pytest.raises(Http404):
        student_for_parent(family.user, hidden.student.public_id)


@pytest.mark.parametrize(("access_rights", "visible"), [(False, False), (True, True)])
def test_non_custodial_parent_needs_access_rights(family, access_rights, visible):
    child = family.children[0]
    father = factories.UserFactory(username="pere.tremblay")
    factories.StudentGuardianFactory(
        student=child,
        guardian=factories.GuardianFactory(first_name="Marc", user=father),
        relationship="father", has_custody=False, has_access_rights=access_rights,
        lives_with=False,
    )
    assert _visible(father) == ({child} if visible else set())
    # The custodial mother is not affected either way.
    assert _visible(family.user) == set(family.children)


class TestAdultStudent:
    """At 18 the student controls the record: access ends unless the student consented."""

    @pytest.fixture
    def link(self, family):
        link = family.links[0]
        link.student.date_of_birth = datetime.date(2008, 11, 29)
        link.student.save()
        return link

    def test_visible_the_day_before_the_18th_birthday(self, family, link):
        assert link.student in _visible(family.user, today=datetime.date(2026, 11, 28))

    def test_invisible_from_the_18th_birthday(self, family, link):
        for day in (datetime.date(2026, 11, 29), datetime.date(2027, 3, 1)):
            assert link.student not in _visible(family.user, today=day)
        # The younger sibling is still visible.
        assert _visible(family.user, today=datetime.date(2026, 11, 29)) == {family.children[1]}

    def test_visible_after_18_with_the_students_consent(self, family, link):
        link.adult_consent_date = datetime.date(2026, 11, 29)
        link.save()
        assert link.student in _visible(family.user, today=datetime.date(2026, 11, 29))
        assert link.student in _visible(family.user, today=datetime.date(2030, 1, 1))

    def test_consent_to_one_guardian_does_not_open_the_record_to_another(self, family, link):
        link.adult_consent_date = datetime.date(2026, 11, 29)
        link.save()
        father = factories.UserFactory(username="pere.tremblay")
        factories.StudentGuardianFactory(
            student=link.student, relationship="father",
            guardian=factories.GuardianFactory(first_name="Marc", user=father),
        )
        assert _visible(father, today=datetime.date(2026, 11, 28)) == {link.student}
        assert _visible(father, today=datetime.date(2026, 11, 29)) == set()

    def test_a_29_february_birthday(self, family, link):
        # Born on a leap day: in 2026 (no 29 February) the student comes of age on 1 March,
        # the day after 28 February.
        link.student.date_of_birth = datetime.date(2008, 2, 29)
        link.student.save()
        assert link.student in _visible(family.user, today=datetime.date(2026, 2, 28))
        assert link.student not in _visible(family.user, today=datetime.date(2026, 3, 1))

    def test_today_is_29_february(self, family, link):
        # Born 28 February 2010: 18 on 28 February 2028, so an adult on 29 February 2028.
        link.student.date_of_birth = datetime.date(2010, 2, 28)
        link.student.save()
        assert link.student in _visible(family.user, today=datetime.date(2028, 2, 27))
        assert link.student not in _visible(family.user, today=datetime.date(2028, 2, 29))
        # Born 1 March 2010: still 17 on 29 February 2028.
        link.student.date_of_birth = datetime.date(2010, 3, 1)
        link.student.save()
        assert link.student in _visible(family.user, today=datetime.date(2028, 2, 29))


def test_withdrawn_student_is_invisible(family):
    withdrawn, staying = family.children
    withdrawn.status = Student.Status.WITHDRAWN
    withdrawn.save()
    assert _visible(family.user) == {staying}
    with pytest.raises(Http404):
        student_for_parent(family.user, withdrawn.public_id)


def test_anonymous_user_sees_nothing(family):
    assert _visible(AnonymousUser()) == set()
    with pytest.raises(Http404):
        student_for_parent(AnonymousUser(), family.children[0].public_id)


def test_guardian_contact_without_account_opens_nothing(family, charlie):
    # A contact the school entered, with no portal account: nobody sees through it.
    child = family.children[0]
    factories.StudentGuardianFactory(
        student=child, relationship="father",
        guardian=factories.GuardianFactory(first_name="Marc", user=None),
    )
    assert _visible(charlie) == set()
    assert _visible(AnonymousUser()) == set()
    assert _visible(family.user) == set(family.children)


def test_account_without_link_sees_nothing(family, other_family, charlie):
    assert _visible(charlie) == set()
    for child in family.children + other_family.children:
        with pytest.raises(Http404):
            student_for_parent(charlie, child.public_id)


@pytest.mark.parametrize("children", [2, 10])
def test_one_query_whatever_the_number_of_children(django_assert_num_queries, children):
    parent = factories.make_family(last_name="Nombreux", parent_first_name="Dana",
                                   children=children)
    with django_assert_num_queries(1):
        schools = [child.school.name for child in students_visible_to(parent.user)]
    assert len(schools) == children
