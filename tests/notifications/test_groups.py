"""School groups and announcements: who belongs, what parents see, what staff post."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from documents import selectors as document_selectors
from documents.models import ReportingPeriod
from notifications import selectors
from notifications.content import ATTACHMENT_MAX_BYTES, attachment_kind, markdown_to_html
from notifications.models import Announcement, Group
from tests import factories
from tests.notifications.document_factories import published_report_card
from tests.notifications.group_factories import (
    TORONTO,
    AnnouncementFactory,
    GroupFactory,
    attach,
    pdf_bytes,
    png_bytes,
)
from tests.pages import french, french_plural, html_of
from tests.students import famille_factories
from tests.students.famille_factories import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("famille_today")]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def groups_for(family) -> dict[str, Group]:
    """The board's group, each child's school and grade groups, and one class group."""
    elementary, secondary = family.children
    life = famille_factories.school_life(secondary, attendance=0, sections=1)
    return {
        "board": GroupFactory(name="Conseil", kind=Group.Kind.BOARD),
        "school": GroupFactory(name="École A", kind=Group.Kind.SCHOOL,
                               school=elementary.school),
        "school2": GroupFactory(name="École B", kind=Group.Kind.SCHOOL,
                                school=secondary.school),
        "grade": GroupFactory(name="4e année A", kind=Group.Kind.GRADE,
                              school=elementary.school, grade=elementary.grade),
        "section": GroupFactory(name="Classe", kind=Group.Kind.SECTION,
                                school=secondary.school, section=life.sections[0]),
    }


class TestMembership:
    def test_a_parent_belongs_to_their_childrens_groups_and_no_other(self, family,
                                                                     other_family):
        mine = groups_for(family)
        elementary = family.children[0]
        # Another grade of the same school, and the other family's school: not Alice's.
        other_grade = GroupFactory(kind=Group.Kind.GRADE, school=elementary.school, grade=5)
        other_school = GroupFactory(kind=Group.Kind.SCHOOL,
                                    school=other_family.children[0].school)
        seen = set(selectors.groups_of_parent(family.user))
        assert seen == set(mine.values())
        assert other_grade not in seen and other_school not in seen
        assert set(selectors.groups_of_parent(other_family.user)) == {mine["board"],
                                                                     other_school}

    def test_membership_ends_with_access(self, family):
        mine = groups_for(family)
        link = family.links[0]
        link.portal_access, link.portal_access_off_reason = False, "Ordonnance du tribunal"
        link.save()
        seen = set(selectors.groups_of_parent(family.user))
        assert mine["school"] not in seen and mine["grade"] not in seen
        assert mine["school2"] in seen

    def test_an_ended_class_is_no_longer_a_group(self, family):
        mine = groups_for(family)
        term = mine["section"].section.term
        term.end_date = datetime.date(2026, 11, 1)
        term.save()
        assert mine["section"] not in set(selectors.groups_of_parent(family.user))

    def test_a_parent_without_children_has_no_group(self, charlie):
        GroupFactory(kind=Group.Kind.BOARD)
        assert not selectors.groups_of_parent(charlie).exists()


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[clic](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">clic</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">clic</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">clic</a>",
    "![x](https://pisteur.example.com/pixel.gif)",
    "<img src=\"//pisteur.example.com/p.gif\">",
    # Browsers read "/\" as "//", and drop a tab inside a URL: both a remote host.
    "![x](/\\pisteur.example.com/p.png)",
    "<img src=\"/\\pisteur.example.com/p.gif\">",
    "<img src=\"/&#9;/pisteur.example.com/p.gif\">",
    "<img src=\"data:image/png;base64,iVBORw0KGgo=\">",
    "<iframe src=\"https://example.com\"></iframe>",
    "<p style=\"background:url(javascript:alert(1))\">texte</p>",
    "<svg onload=alert(1)>",
    "<body onload=alert(1)>",
    "<a href=\"vbscript:msgbox(1)\">clic</a>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<object data=\"https://example.com/x.swf\"></object>",
    "<form action=\"https://example.com\"><input name=a></form>",
    "<div onmouseover=\"alert(1)\">survol</div>",
]


class TestSanitiser:
    @pytest.mark.parametrize("payload", XSS_PAYLOADS)
    def test_known_payloads_are_removed(self, payload):
        cleaned = markdown_to_html(payload).lower()
        for danger in ("<script", "javascript:", "vbscript:", "onerror", "onload",
                       "onmouseover", "data:", "style=", "<iframe", "<svg", "<object",
                       "<form", "<input", "example.com/p", "pisteur"):
            assert danger not in cleaned, (payload, cleaned)

    def test_markdown_keeps_its_formatting_and_safe_links(self):
        cleaned = markdown_to_html("**Sortie** au [musée](https://musee.ca) — "
                                   "[écrire](mailto:ecole@example.com)\n\n- un\n- deux\n\n"
                                   "![plan](/static/img/logo.svg)")
        assert "<strong>Sortie</strong>" in cleaned
        assert '<a href="https://musee.ca" rel="noopener noreferrer">musée</a>' in cleaned
        assert 'href="mailto:ecole@example.com"' in cleaned
        assert "<li>un</li>" in cleaned
        assert '<img alt="plan" src="/static/img/logo.svg">' in cleaned

    def test_saving_renders_the_body(self):
        announcement = AnnouncementFactory(body="<script>x</script>**gras**")
        assert announcement.body_html == "<p><strong>gras</strong></p>"


class TestAttachmentCheck:
    def upload(self, name, content):
        return SimpleUploadedFile(name, content)

    def test_pdf_and_images_pass_by_content(self):
        assert attachment_kind(self.upload("a.pdf", pdf_bytes())).content_type == \
            "application/pdf"
        # The name does not matter: the content does.
        assert attachment_kind(self.upload("photo.pdf", png_bytes())).extension == "png"

    @pytest.mark.parametrize("name,content", [
        ("programme.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100),  # a renamed executable
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("faux.pdf", b"%PDF-1.7\nnot really a pdf"),
        ("faux.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10),
    ])
    def test_other_files_are_refused_in_french(self, name, content):
        with pytest.raises(ValidationError) as refused:
            attachment_kind(self.upload(name, content))
        assert refused.value.messages[0] in {
            french("Only PDF files and images (PNG, JPEG, GIF, WebP) can be attached."),
            french("This file is damaged or is not what its name says."),
        }

    def test_too_large_is_refused(self):
        with pytest.raises(ValidationError) as refused:
            attachment_kind(self.upload("gros.pdf", b"%PDF-" + b"0" * ATTACHMENT_MAX_BYTES))
        assert refused.value.code == "too_large"

    def test_a_pdf_with_a_script_is_refused_as_the_schools_forms_are(self):
        with pytest.raises(ValidationError) as refused:
            attachment_kind(self.upload("horaire.pdf", factories.scripted_pdf()))
        assert refused.value.messages == [
            french("This PDF contains a script (JavaScript): it is refused.")]

    def test_a_pdf_carrying_a_file_is_refused_as_the_schools_forms_are(self):
        with pytest.raises(ValidationError) as refused:
            attachment_kind(self.upload("horaire.pdf", factories.pdf_with_attachment()))
        assert refused.value.messages == [french(
            "This PDF carries files inside it (attachments): it is refused. "
            "Save it again without them.")]


class TestDates:
    def test_the_database_refuses_expiry_before_publication(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            AnnouncementFactory(publish_at=datetime.datetime(2026, 12, 1, tzinfo=TORONTO),
                                expires_at=datetime.datetime(2026, 11, 1, tzinfo=TORONTO))

    def test_expired_and_future_announcements_are_not_shown(self, family):
        group = GroupFactory(kind=Group.Kind.BOARD)
        shown = AnnouncementFactory(group=group)
        AnnouncementFactory(group=group,
                            publish_at=datetime.datetime(2026, 12, 25, tzinfo=TORONTO))
        AnnouncementFactory(group=group,
                            publish_at=datetime.datetime(2026, 10, 1, tzinfo=TORONTO),
                            expires_at=datetime.datetime(2026, 11, 1, tzinfo=TORONTO))
        shown_items = selectors.home_announcements([group])
        assert len(shown_items) == 1 and f">{shown.title}</h3>" in shown_items[0]


class TestHomePage:
    def test_shows_both_schools_and_the_boards_news_labelled(self, client, family):
        mine = groups_for(family)
        for key in ("board", "school", "school2"):
            AnnouncementFactory(group=mine[key], title=f"Nouvelle {key}")
        client.force_login(family.user)
        page = html_of(client.get(reverse("home")))
        for key in ("board", "school", "school2"):
            assert f"Nouvelle {key}" in page
            assert reverse("notifications:group", kwargs={"public_id": mine[key].public_id}) \
                in page
        assert "Conseil" in page and "École B" in page

    def test_never_shows_another_familys_group(self, client, family, other_family):
        groups_for(family)
        theirs = GroupFactory(kind=Group.Kind.SCHOOL, school=other_family.children[0].school,
                              name="Leur école")
        AnnouncementFactory(group=theirs, title="Pas pour Alice")
        client.force_login(family.user)
        page = html_of(client.get(reverse("home")))
        assert "Pas pour Alice" not in page and "Leur école" not in page

    def test_constant_queries_whatever_the_numbers(self, client, family,
                                                   django_assert_max_num_queries):
        AnnouncementFactory(group=GroupFactory(kind=Group.Kind.BOARD))
        published_report_card(family.children[0], publication_date=TODAY)
        client.force_login(family.user)
        client.get(reverse("home"))  # the session and user, read once

        def count() -> tuple[int, int]:
            # Session, user, children, groups, announcements and their files, documents:
            # the page itself adds none. Then again with the groups' announcements cached:
            # two less.
            Group.objects.update(version=F("version") + 1)
            counted = []
            for _visit in ("cold", "cached"):
                with django_assert_max_num_queries(7) as captured:
                    assert client.get(reverse("home")).status_code == 200
                counted.append(len(captured))
            return tuple(counted)

        few = count()
        assert few[1] == few[0] - 2
        mine = groups_for(family)
        extra = factories.StudentFactory(school=family.children[0].school, grade=4)
        factories.StudentGuardianFactory(student=extra, guardian=family.guardian)
        for group in mine.values():
            for _n in range(5):
                attach(AnnouncementFactory(group=group))
        for days_ago, child in enumerate([*family.children, extra, extra]):
            published_report_card(child, version=2,
                                  publication_date=TODAY - datetime.timedelta(days=days_ago))
        assert len(document_selectors.recent_report_card_files(family.children + [extra])) == 5
        assert count() == few


NO_DOCUMENT = french_plural("No document published in the last day.",
                            "No document published in the last %(days)s days.", 30) % {
    "days": 30}


class TestHomeDocuments:
    """The report cards published for the parent's children in the last 30 days."""

    def test_newest_first_with_the_first_name_and_the_documents_links(self, client, family):
        first, second = family.children
        older = published_report_card(first, publication_date=TODAY - datetime.timedelta(
            days=29))
        newer = published_report_card(second, publication_date=TODAY, version=2)
        client.force_login(family.user)

        page = html_of(client.get(reverse("home")))

        assert page.index(newer.card.period.name) < page.index(older.card.period.name)
        for stored, child in ((older, first), (newer, second)):
            assert f"{child.first_name} — " in page
            assert document_selectors.report_card_filename(stored.card) in page
            for name in ("report_card_download", "report_card_print"):
                assert reverse(f"students:documents:{name}", kwargs={
                    "public_id": child.public_id, "card_id": stored.card.public_id}) in page
        assert french("corrected") in page  # the second version: a correction

    def test_only_the_last_30_days_and_only_what_is_visible(self, client, family):
        child = family.children[0]
        gone = published_report_card(child, publication_date=TODAY - datetime.timedelta(
            days=30))
        ahead = published_report_card(child, publication_date=TODAY + datetime.timedelta(
            days=1))
        unpublished = published_report_card(child, publication_date=TODAY)
        ReportingPeriod.objects.filter(pk=unpublished.card.period_id).update(published_at=None)
        client.force_login(family.user)

        page = html_of(client.get(reverse("home")))

        for hidden in (gone, ahead, unpublished):
            assert str(hidden.card.public_id) not in page
        assert NO_DOCUMENT in page

    def test_never_another_familys_nor_a_child_whose_access_ended(self, client, family,
                                                                  other_family):
        theirs = published_report_card(other_family.children[0], publication_date=TODAY)
        ended = published_report_card(family.children[1], publication_date=TODAY)
        link = family.links[1]
        link.portal_access, link.portal_access_off_reason = False, "Ordonnance du tribunal"
        link.save()
        client.force_login(family.user)

        page = html_of(client.get(reverse("home")))

        for hidden in (theirs, ended):
            assert str(hidden.card.public_id) not in page
            assert hidden.card.period.name not in page
        assert NO_DOCUMENT in page


class TestGroupPage:
    def test_pinned_first_then_newest_paginated_with_files(self, client, family):
        group = groups_for(family)["school"]
        older = AnnouncementFactory(group=group, title="Ancienne",
                                    publish_at=datetime.datetime(2026, 9, 5, tzinfo=TORONTO))
        pinned = AnnouncementFactory(group=group, title="Épinglée", pinned=True,
                                     publish_at=datetime.datetime(2026, 9, 1, tzinfo=TORONTO))
        for day in range(1, 12):
            AnnouncementFactory(group=group, title=f"Jour {day}",
                                publish_at=datetime.datetime(2026, 11, day, tzinfo=TORONTO))
        attach(pinned, "calendrier.pdf")
        client.force_login(family.user)
        url = reverse("notifications:group", kwargs={"public_id": group.public_id})
        first = html_of(client.get(url))
        assert first.index("Épinglée") < first.index("Jour 11") < first.index("Jour 3")
        assert "calendrier.pdf" in first and "Ancienne" not in first
        assert "Ancienne" in html_of(client.get(url, {"page": 2}))
        assert older.title == "Ancienne"

    def test_announcements_are_headed_under_their_section(self, client, family):
        """Under the section's heading (h2, read by screen readers only), each announcement
        is an h3, as on the home page."""
        group = groups_for(family)["school"]
        announcement = AnnouncementFactory(group=group, title="Collecte de denrées")
        client.force_login(family.user)
        page = html_of(client.get(reverse("notifications:group",
                                          kwargs={"public_id": group.public_id})))
        assert f'<h3 id="announcement-{announcement.pk}" class="announcement__title">' \
               f'Collecte de denrées</h3>' in page

    def test_another_familys_group_is_a_404(self, client, family, other_family):
        theirs = GroupFactory(kind=Group.Kind.SCHOOL, school=other_family.children[0].school)
        client.force_login(family.user)
        url = reverse("notifications:group", kwargs={"public_id": theirs.public_id})
        assert client.get(url).status_code == 404


class TestAttachmentView:
    def test_served_privately_to_the_groups_parents(self, client, family):
        file = attach(AnnouncementFactory(group=groups_for(family)["board"]), "plan.png")
        client.force_login(family.user)
        response = client.get(reverse("notifications:attachment",
                                      kwargs={"public_id": file.public_id}))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == png_bytes()

    def test_another_familys_file_is_a_404(self, client, family, other_family):
        theirs = GroupFactory(kind=Group.Kind.SCHOOL, school=other_family.children[0].school)
        file = attach(AnnouncementFactory(group=theirs))
        client.force_login(family.user)
        url = reverse("notifications:attachment", kwargs={"public_id": file.public_id})
        assert client.get(url).status_code == 404
        client.logout()
        assert client.get(url).status_code == 302  # to the login page

    def test_a_file_of_an_expired_announcement_is_a_404(self, client, family):
        announcement = AnnouncementFactory(
            group=groups_for(family)["board"],
            publish_at=datetime.datetime(2026, 10, 1, tzinfo=TORONTO),
            expires_at=datetime.datetime(2026, 11, 1, tzinfo=TORONTO))
        file = attach(announcement)
        client.force_login(family.user)
        assert client.get(reverse("notifications:attachment",
                                  kwargs={"public_id": file.public_id})).status_code == 404
        assert Announcement.objects.count() == 1
