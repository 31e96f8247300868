"""The home page's announcements come from a cache shared by each group's parents: what
staff save shows on the next request, scheduled and expired ones follow the clock, and
membership (which decides access) is read on every request."""

import datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse

from notifications.models import Group
from tests.notifications.group_factories import TORONTO, AnnouncementFactory, attach
from tests.notifications.test_groups import groups_for
from tests.pages import html_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("famille_today")]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def at(day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, tzinfo=TORONTO)


def home(client) -> str:
    return html_of(client.get(reverse("home")))


def home_later(client, user, when: datetime.datetime) -> str:
    """The home page at another time, signed in again (the session has an idle timeout)."""
    with time_machine.travel(when):
        client.logout()
        client.force_login(user)
        return home(client)


@pytest.fixture
def mine(family, client):
    client.force_login(family.user)
    return groups_for(family)


def test_access_ended_hides_the_schools_cached_news_at_once(client, family, mine):
    AnnouncementFactory(group=mine["school"], title="Sortie de l'école A")
    AnnouncementFactory(group=mine["school2"], title="Sortie de l'école B")
    assert "Sortie de l'école A" in home(client)  # now cached
    link = family.links[0]  # the elementary child, at school A
    link.portal_access, link.portal_access_off_reason = False, "Ordonnance du tribunal"
    link.save()
    page = home(client)
    assert "Sortie de l'école A" not in page and "École A" not in page
    assert "Sortie de l'école B" in page


def test_what_staff_save_or_delete_shows_on_the_next_request(client, mine):
    first = AnnouncementFactory(group=mine["board"], title="Première")
    assert "Première" in home(client)
    AnnouncementFactory(group=mine["board"], title="Nouvelle", publish_at=at(28))
    first.title = "Première, corrigée"
    first.save()
    page = home(client)
    assert "Nouvelle" in page and "Première, corrigée" in page
    first.delete()
    assert "Première" not in home(client)


def test_a_renamed_group_and_a_moved_announcement(client, mine):
    moved = AnnouncementFactory(group=mine["school"], title="Déplacée")
    assert "Déplacée" in home(client)
    mine["school"].name = "École A renommée"
    mine["school"].save()
    assert "École A renommée</a>" in home(client)
    moved.group = mine["grade"]
    moved.save()
    page = home(client)
    assert page.count("Déplacée") == 1
    assert f'{reverse("notifications:group", args=[mine["grade"].public_id])}">4e année A' \
        in page


def test_a_file_added_raises_the_groups_version(mine):
    announcement = AnnouncementFactory(group=mine["board"])
    before = Group.objects.get(pk=mine["board"].pk).version
    attached = attach(announcement)
    assert Group.objects.get(pk=mine["board"].pk).version == before + 1
    attached.delete()
    assert Group.objects.get(pk=mine["board"].pk).version == before + 2


def test_an_announcement_s_files_are_listed_on_the_home_page_as_staff_change_them(client,
                                                                                 mine):
    announcement = AnnouncementFactory(group=mine["board"], title="Sortie au musée")
    assert "announcement__files" not in home(client)  # now cached
    attached = attach(announcement)
    link = reverse("notifications:attachment", args=[attached.public_id])
    assert f'<a href="{link}">{attached.name}</a>' in home(client)
    attached.delete()
    assert link not in home(client)


def test_scheduled_and_expired_follow_the_clock_without_staff(client, family, mine):
    AnnouncementFactory(group=mine["board"], title="Programmée", publish_at=at(30, 8))
    AnnouncementFactory(group=mine["school"], title="Périmée", publish_at=at(20),
                        expires_at=at(29, 12))
    page = home(client)
    assert "Programmée" not in page and "Périmée" in page
    page = home_later(client, family.user, at(30, 9))
    assert "Programmée" in page and "Périmée" not in page


def test_an_expired_one_makes_room_for_the_next_older(client, family, mine):
    # Eleven published: the cache keeps the latest ten; when the newest expires, the
    # eleventh is shown.
    for day in range(1, 10):
        AnnouncementFactory(group=mine["board"], title=f"Annonce du {day:02} novembre",
                            publish_at=at(day + 10))
    AnnouncementFactory(group=mine["board"], title="Annonce ancienne", publish_at=at(2))
    AnnouncementFactory(group=mine["board"], title="Annonce brève", publish_at=at(25),
                        expires_at=at(29, 12))
    assert "Annonce brève" in home(client) and "Annonce ancienne" not in home(client)
    page = home_later(client, family.user, at(29, 13))
    assert "Annonce brève" not in page and "Annonce ancienne" in page


def test_each_reader_has_their_language(client, mine):
    AnnouncementFactory(group=mine["board"], title="Concert", publish_at=at(20))
    assert "20 novembre 2026" in home(client)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "20 November 2026" in home(client)


def test_a_cached_visit_reads_no_announcement(client, mine, django_assert_max_num_queries):
    for group in mine.values():
        AnnouncementFactory.create_batch(3, group=group)
    client.get(reverse("home"))  # the session's first write; the groups' items cached
    # The user, the children, the groups, the documents (and the session without Redis);
    # test_groups counts them whatever the numbers.
    with django_assert_max_num_queries(5) as captured:
        home(client)
    assert not any("notifications_announcement" in query["sql"]
                   for query in captured.captured_queries)


def test_redis_away_renders_as_before(client, mine, settings):
    AnnouncementFactory(group=mine["board"], title="Sans Redis")
    settings.CACHES = {**settings.CACHES, "default": {
        **settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    assert "Sans Redis" in home(client)
