"""NUL bytes and other characters no token, id or field can hold: a 404 or a
French form error, never a 500, on every URL parameter and form field of the parent side.
PostgreSQL refuses NUL in text, so anything that reached it answered 500."""

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.urls import reverse

from outbox.models import OutboundEmail
from tests import factories
from tests.pages import french
from tests.staff import staff_login
from tests.students.famille_factories import CalendarFeedFactory, ParentFormFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("famille_today")]

IMPOSSIBLE = ["\x00", "a\x00b", "\x1b[31m", "\r\nSet-Cookie: x=1", "\x7f"]
NULL_MESSAGE = "Null characters are not allowed."


@pytest.mark.parametrize("bad", IMPOSSIBLE)
@pytest.mark.parametrize("path", [
    "/famille/calendrier/{}.ics", "/famille/calendrier/abc{}def.ics", "/desabonnement/{}/",
    "/compte/valider/{}/", "/comptes/password/reset/key/4-{}/", "/famille/{}/",
    "/famille/0b7e4a52-5c1f-4d6e-9a3b-2f8c1d9e6a70{}/emploi-du-temps/", "/groupes/{}/",
])
def test_impossible_characters_in_a_url_parameter_are_a_404(client, family, path, bad):
    client.force_login(family.user)
    assert client.get(path.format(quote(bad))).status_code == 404


def test_the_calendar_link_with_a_nul_byte_is_a_404_without_login(client, family):
    feed = CalendarFeedFactory(user=family.user, student=family.children[0])
    assert client.get(f"/famille/calendrier/%00{feed.token}.ics").status_code == 404
    assert client.get(f"/famille/calendrier/{feed.token}%00.ics").status_code == 404


def test_a_nul_byte_in_a_query_parameter_is_a_404(client, family):
    """An admin list's filter (?kind__exact=%00) reached PostgreSQL, which answered 500; a
    parent page's parameters likewise."""
    staff = factories.UserFactory(username="secretariat", is_staff=True, is_superuser=True)
    staff_login(client, staff)
    for path, name in [(reverse("admin:students_student_changelist"), "status__exact"),
                       (reverse("admin:students_section_changelist"), "term_code"),
                       (reverse("admin:students_student_changelist"), "q")]:
        assert client.get(path, {name: "a\x00b"}).status_code == 404
        assert client.get(path, {"a\x00b": "1"}).status_code == 404
    client.force_login(family.user)
    child = family.children[0].public_id
    attendance = reverse("students:attendance", kwargs={"public_id": child})
    assert client.get(attendance, {"debut": "\x00"}).status_code == 404


class Forms(HTMLParser):
    """Each form of a page posted to itself or elsewhere: its action and field names."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, str, set[str]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append((attributes.get("method", "get").lower(),
                               attributes.get("action") or "", set()))
        elif tag in ("input", "select", "textarea") and self.forms and attributes.get("name"):
            self.forms[-1][2].add(attributes["name"])


def parent_pages(family) -> list[str]:
    child = family.children[0].public_id
    form = ParentFormFactory(school=family.children[0].school)
    pages = [reverse("home"), reverse("students:family"),
             reverse("accounts:preferences"), reverse("accounts:security"),
             reverse("notifications:family"), reverse("account_change_password")]
    pages += [reverse(f"students:{name}", kwargs={"public_id": child}) for name in (
        "details", "address", "contacts", "photo", "attendance", "forms", "timetable",
        "calendar", "enrolments")]
    pages.append(reverse("students:form_answer", kwargs={"public_id": child,
                                                         "form_id": form.public_id}))
    pages.append(reverse("notifications:child", kwargs={"public_id": child}))
    return pages


ANONYMOUS_PAGES = ["account_login", "account_reset_password", "accounts:recover_login_id",
                   "accounts:signup_profile", "accounts:signup_code"]


def post_impossible_values(client, page: str) -> list[str]:
    """Every field of every form of the page, sent with a NUL byte, as GET and POST."""
    response = client.get(page)
    assert response.status_code == 200, page
    parser = Forms()
    parser.feed(response.content.decode())
    answers = []
    for method, action, names in parser.forms:
        target = action or page
        data = {name: "x\x00y" for name in names if name != "csrfmiddlewaretoken"}
        send = client.post if method == "post" else client.get
        sent = send(target, data, follow=True)
        assert sent.status_code < 500, (target, sent.status_code)
        answers.append(sent.content.decode())
    return answers


def test_nul_bytes_in_every_parent_form_field_never_give_a_500(client, family):
    client.force_login(family.user)
    for page in parent_pages(family):
        post_impossible_values(client, page)
        client.force_login(family.user)  # a form may have logged out or changed the session


def test_nul_bytes_in_the_sign_in_forms_get_a_french_error_and_change_nothing(
    client, family
):
    client.get(reverse("accounts:signup_profile"))
    for name in ANONYMOUS_PAGES:
        answers = post_impossible_values(client, reverse(name))
        assert any(french(NULL_MESSAGE) in re.sub(r"&#x27;", "'", answer)
                   for answer in answers), name
    assert not OutboundEmail.objects.exists()
