"""The demo groups: the board's, each school's and some classes', with living news."""

import pytest
from django.urls import reverse

from demo.groups import seed_groups
from notifications import selectors
from notifications.models import Announcement, Attachment, Group
from tests.pages import html_of
from tests.students import famille_factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("famille_today")]


def test_seed_groups_gives_the_demo_family_a_living_home_page(client, family, settings,
                                                             tmp_path):
    settings.MEDIA_ROOT = tmp_path
    famille_factories.school_life(family.children[1], attendance=0, sections=2)
    schools = [child.school for child in family.children]
    made = seed_groups(schools=schools, sections_per_school=1)
    assert made == Group.objects.count() == 1 + 2 + 1
    assert seed_groups(schools=schools) == 0  # a second run changes nothing
    assert Announcement.objects.filter(pinned=True).count() == 2
    expired = Announcement.objects.filter(expires_at__isnull=False)
    assert expired.count() == 1
    assert Attachment.objects.count() == 2 + 2
    groups = list(selectors.groups_of_parent(family.user))
    assert len(groups) == 4
    client.force_login(family.user)
    page = html_of(client.get(reverse("home")))
    assert "Rencontres parents-enseignants" in page and expired.get().title not in page
