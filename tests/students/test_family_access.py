"""Who may open which Famille page (students.selectors.students_visible_to decides).

Every page, sub-tab, the photo file, the form answer page (GET and POST), the calendar
link POST and the .ics feed: the parent's own child works; any other child gives a 404
that says nothing of the child, not even that it exists, and changes nothing.
"""

import datetime
import re
import uuid
from dataclasses import dataclass

import pytest
from django.urls import reverse

from students import services
from students.models import CalendarFeed, ParentFormResponse, Student
from tests import factories
from tests.students import famille_factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("famille_today")]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@dataclass(frozen=True)
class Request:
    name: str
    method: str = "get"
    data: dict | None = None

    def url(self, public_id, form_id) -> str:
        kwargs = {"public_id": public_id}
        if self.name == "form_answer":
            kwargs["form_id"] = form_id
        return reverse(f"students:{self.name}", kwargs=kwargs)


REQUESTS = [
    Request("details"),
    Request("address"),
    Request("contacts"),
    Request("photo"),
    Request("photo_file"),
    Request("attendance"),
    Request("attendance", data={"periode": "2026-10"}),
    Request("forms"),
    Request("form_answer"),
    Request("form_answer", "post", {"accepted": "yes", "signature": "Alice Tremblay"}),
    Request("timetable"),
    Request("calendar"),
    Request("calendar_link", "post", {"action": "create"}),
    Request("calendar_link", "post", {"action": "revoke"}),
    Request("enrolments"),
]
REQUEST_IDS = [f"{r.method}-{r.name}{'-' + '-'.join(r.data.values()) if r.data else ''}"
               for r in REQUESTS]


def _send(client, request: Request, public_id, form_id):
    return getattr(client, request.method)(request.url(public_id, form_id), request.data or {})


@pytest.fixture
def world(family, other_family):
    """Every child has everything a page can show, so a 404 can only come from access."""
    for child in family.children + other_family.children:
        famille_factories.school_life(child)
        famille_factories.give_photo(child)
    # Board-wide: it applies to every child, whoever may see them.
    form = famille_factories.ParentFormFactory()
    return family, other_family, form


def _make_forbidden(case: str, family, other_family) -> Student:
    """The child Alice asks for in each case where she must get a 404."""
    if case == "another_family":
        return other_family.children[0]
    link = family.links[0]
    child = link.student
    if case == "portal_access_off":
        link.portal_access = False
        link.portal_access_off_reason = "Ordonnance du tribunal"
        link.save()
    elif case == "adult_without_consent":
        child.date_of_birth = datetime.date(2008, 11, 29)  # 18 today
        child.save()
    elif case == "withdrawn":
        child.status = Student.Status.WITHDRAWN
        child.save()
    elif case == "no_custody_nor_access_rights":
        link.has_custody = False
        link.has_access_rights = False
        link.save()
    return child


FORBIDDEN = ["another_family", "portal_access_off", "adult_without_consent", "withdrawn",
             "no_custody_nor_access_rights"]


def _assert_nothing_leaks(response, child: Student) -> None:
    assert response.status_code == 404
    body = response.content.decode()
    # (The id itself is echoed, in the language switcher's "next": the visitor typed it.)
    for secret in (child.first_name, child.niso, child.niso_display, child.school.name):
        assert secret not in body, f"the 404 page shows {secret!r}"


@pytest.mark.parametrize("request_", REQUESTS, ids=REQUEST_IDS)
def test_parent_opens_every_page_of_their_own_child(client, world, request_):
    family, _, form = world
    client.force_login(family.user)
    for child in family.children:
        response = _send(client, request_, child.public_id, form.public_id)
        assert response.status_code == (302 if request_.method == "post" else 200)


@pytest.mark.parametrize("case", FORBIDDEN)
@pytest.mark.parametrize("request_", REQUESTS, ids=REQUEST_IDS)
def test_any_other_child_is_a_404_that_leaks_nothing(client, world, case, request_):
    family, other_family, form = world
    child = _make_forbidden(case, family, other_family)
    client.force_login(family.user)

    _assert_nothing_leaks(_send(client, request_, child.public_id, form.public_id), child)
    assert not CalendarFeed.objects.filter(student=child).exists()
    assert not ParentFormResponse.objects.filter(student=child).exists()


@pytest.mark.parametrize("request_", REQUESTS, ids=REQUEST_IDS)
def test_a_made_up_id_is_the_same_404(client, world, request_):
    family, other_family, form = world
    client.force_login(family.user)
    made_up_id, bobs_id = uuid.uuid4(), other_family.children[0].public_id
    made_up = _send(client, request_, made_up_id, form.public_id)
    forbidden = _send(client, request_, bobs_id, form.public_id)
    assert made_up.status_code == forbidden.status_code == 404

    def page(response, public_id) -> str:
        # Everything but the echoed id and the CSRF token (masked anew on each page).
        body = response.content.decode().replace(str(public_id), "ID")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)

    # Same page for "exists but not yours" and "does not exist".
    assert page(made_up, made_up_id) == page(forbidden, bobs_id)


def test_adult_student_who_consented_is_visible(client, world):
    family, _, _ = world
    link = family.links[0]
    link.student.date_of_birth = datetime.date(2008, 11, 29)
    link.student.save()
    link.adult_consent_date = datetime.date(2026, 11, 29)
    link.save()
    client.force_login(family.user)
    response = client.get(reverse("students:details",
                                  kwargs={"public_id": link.student.public_id}))
    assert response.status_code == 200


@pytest.mark.parametrize("request_", [r for r in REQUESTS if r.method == "get"],
                         ids=[i for r, i in zip(REQUESTS, REQUEST_IDS, strict=True)
                              if r.method == "get"])
def test_logged_out_visitor_is_sent_to_login_whatever_the_id(client, world, request_):
    family, _, form = world
    real = _send(client, request_, family.children[0].public_id, form.public_id)
    made_up = _send(client, request_, uuid.uuid4(), form.public_id)
    assert real.status_code == made_up.status_code == 302
    assert real["Location"].startswith(reverse("account_login"))


def test_charlie_without_a_link_sees_no_child(client, world, charlie):
    family, _, form = world
    client.force_login(charlie)
    response = client.get(reverse("students:family"))
    assert response.status_code == 200
    for child in family.children:
        assert child.first_name not in response.content.decode()
        _assert_nothing_leaks(
            client.get(reverse("students:details", kwargs={"public_id": child.public_id})),
            child)


def test_family_page_lists_only_the_parents_children(client, world):
    family, other_family, _ = world
    client.force_login(family.user)
    body = client.get(reverse("students:family")).content.decode()
    for child in family.children:
        assert f"{child.last_name}, {child.first_name}" in body
    [bob_child] = other_family.children
    assert str(bob_child.public_id) not in body
    assert bob_child.school.name not in body


class TestCalendarFeedAccess:
    """The .ics link: no login, so the token alone must carry the access rules."""

    @pytest.fixture
    def feed(self, world):
        family, _, _ = world
        return services.calendar_feed_get_or_create(user=family.user,
                                                    student=family.children[0])

    @staticmethod
    def _get(client, token: str):
        return client.get(reverse("students:calendar_feed", kwargs={"token": token}))

    def test_the_owners_link_works(self, client, feed):
        response = self._get(client, feed.token)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"

    def test_revoked_link_is_a_404(self, client, feed):
        services.calendar_feed_revoke(user=feed.user, student=feed.student)
        _assert_nothing_leaks(self._get(client, feed.token), feed.student)

    @pytest.mark.parametrize("tamper", [
        lambda token: token[:-1],
        lambda token: token + "A",
        lambda token: token.swapcase(),
        lambda token: "x" * len(token),
        lambda token: "",
    ])
    def test_tampered_link_is_a_404(self, client, feed, tamper):
        token = tamper(feed.token)
        if not token:  # The URL pattern needs a token: an empty one never matches.
            assert self._get(client, "%20").status_code == 404
            return
        _assert_nothing_leaks(self._get(client, token), feed.student)

    @pytest.mark.parametrize("case", FORBIDDEN[1:])
    def test_link_of_an_owner_who_lost_access_is_a_404(self, client, world, feed, case):
        family, other_family, _ = world
        _make_forbidden(case, family, other_family)
        _assert_nothing_leaks(self._get(client, feed.token), feed.student)

    def test_link_of_a_deactivated_account_is_a_404(self, client, feed):
        feed.user.is_active = False
        feed.user.save()
        _assert_nothing_leaks(self._get(client, feed.token), feed.student)

    def test_one_parents_link_does_not_follow_another_parent(self, client, world, feed):
        """A second guardian's own link is theirs: revoking Alice's leaves it working."""
        family, _, _ = world
        father = factories.UserFactory(username="pere.tremblay")
        factories.StudentGuardianFactory(
            student=feed.student, relationship="father",
            guardian=factories.GuardianFactory(first_name="Marc", user=father))
        theirs = services.calendar_feed_get_or_create(user=father, student=feed.student)
        services.calendar_feed_revoke(user=family.user, student=feed.student)
        assert self._get(client, feed.token).status_code == 404
        assert self._get(client, theirs.token).status_code == 200
