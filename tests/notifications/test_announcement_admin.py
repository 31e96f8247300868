"""Staff post announcements in the admin, within their schools; the board board-wide."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notifications.models import Announcement, Attachment, Group
from tests.notifications.group_factories import GroupFactory, pdf_bytes
from tests.pages import french, html_of
from tests.staff import BOARD_ADMINISTRATION, make_staff, staff_login

pytestmark = pytest.mark.django_db

ADD = reverse("admin:notifications_announcement_add")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post_data(group: Group, **fields) -> dict:
    return {
        "group": group.pk, "title": "Sortie au musée", "body": "**Départ** à 8 h.",
        "publish_at_0": "2026-11-30", "publish_at_1": "08:00",
        "expires_at_0": "2026-12-15", "expires_at_1": "17:00",
        "attachments-TOTAL_FORMS": "1", "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0", "attachments-MAX_NUM_FORMS": "1000",
        **fields,
    }


def test_a_secretary_posts_in_a_school_group_with_a_pdf(secretary_client, family):
    group = GroupFactory(kind=Group.Kind.SCHOOL, school=family.children[0].school)
    upload = SimpleUploadedFile("Sortie au musée.pdf", pdf_bytes())
    response = secretary_client.post(ADD, post_data(group, **{"attachments-0-file": upload}))
    assert response.status_code == 302, response.content.decode()[:3000]
    announcement = Announcement.objects.get()
    assert announcement.body_html == "<p><strong>Départ</strong> à 8 h.</p>"
    assert announcement.publish_at.hour == 13  # 8:00 in Toronto, stored in UTC
    file = Attachment.objects.get()
    assert file.content_type == "application/pdf" and file.name == "Sortie_au_musée.pdf"
    assert file.file.name.startswith("private/announcements/")


def test_expiry_before_publication_is_refused_in_french(secretary_client, family):
    group = GroupFactory(kind=Group.Kind.SCHOOL, school=family.children[0].school)
    page = html_of(secretary_client.post(ADD, post_data(group, expires_at_0="2026-11-01")))
    assert french("The announcement must be published before its expiry date.") in page
    assert not Announcement.objects.exists()


def test_a_renamed_executable_is_refused_in_french(secretary_client, family):
    group = GroupFactory(kind=Group.Kind.SCHOOL, school=family.children[0].school)
    upload = SimpleUploadedFile("horaire.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    page = html_of(secretary_client.post(ADD, post_data(group,
                                                        **{"attachments-0-file": upload})))
    assert french("Only PDF files and images (PNG, JPEG, GIF, WebP) can be attached.") in page
    assert not Announcement.objects.exists() and not Attachment.objects.exists()


def test_a_secretary_cannot_post_in_another_school_or_board_wide(secretary_client,
                                                                  other_family):
    for group in (GroupFactory(kind=Group.Kind.SCHOOL, school=other_family.children[0].school),
                  GroupFactory(kind=Group.Kind.BOARD)):
        page = html_of(secretary_client.post(ADD, post_data(group)))
        assert "errorlist" in page
        change = reverse("admin:notifications_group_change", args=[group.pk])
        assert secretary_client.get(change).status_code == 404
    assert not Announcement.objects.exists()


def test_a_secretary_cannot_create_a_board_group(secretary_client):
    page = html_of(secretary_client.post(reverse("admin:notifications_group_add"),
                                         {"name": "Tout le conseil", "kind": "board"}))
    assert "errorlist" in page
    assert not Group.objects.exists()


def test_board_staff_post_board_wide(client):
    staff_login(client, make_staff("conseil", board_level=True, group=BOARD_ADMINISTRATION))
    group = GroupFactory(kind=Group.Kind.BOARD)
    assert client.post(ADD, post_data(group)).status_code == 302
    assert Announcement.objects.get().group == group
