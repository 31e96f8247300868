"""A child's tabs, rendered once per kind of page (students.navigation): each page still
shows its own child's links, in the page's language."""

import re
import uuid

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from portail import fragments
from students import navigation
from tests.pages import french

DETAILS_SUB_TABS = ["details", "address", "contacts", "photo", "forms", "attendance"]


def hrefs(fragment: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', fragment)


def test_rendered_once_for_two_children_each_with_their_own_links():
    fragments._rendered.cache_clear()
    first, second = uuid.uuid4(), uuid.uuid4()
    with translation.override("en"):
        tabs = {child: navigation.child_tabs(
            "students/includes/detail_subtabs.html", child, url_name="photo",
            side_tab="details", sub_tab="photo", secondary=False) for child in (first, second)}
    assert fragments._rendered.cache_info().misses == 1
    for child, other in ((first, second), (second, first)):
        assert hrefs(tabs[child]) == [reverse(f"students:{name}", kwargs={"public_id": child})
                                      for name in DETAILS_SUB_TABS]
        assert str(other) not in tabs[child]
        assert navigation.PLACEHOLDER not in tabs[child]


@pytest.mark.django_db
@pytest.mark.usefixtures("famille_today")
def test_tabs_follow_the_pages_language(client, family):
    client.force_login(family.user)
    child = family.children[0]
    page = reverse("students:enrolments", kwargs={"public_id": child.public_id})
    french_page = client.get(page).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english_page = client.get(page).content.decode()
    side_tabs = re.compile(r'<nav class="side-tabs".*?</nav>', re.DOTALL)
    assert french("Enrolment history") in side_tabs.search(french_page).group()
    assert "Enrolment history" in side_tabs.search(english_page).group()
    assert french("Enrolment history") != "Enrolment history"
