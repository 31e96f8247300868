"""The base layout and the foundation's pages: what a parent sees and can operate.

Rendered through the test client; the real-browser checks (axe, 360 px) are in
tests/browser/.
"""

import re

import pytest
from django.template import RequestContext, Template
from django.template.loader import render_to_string
from django.test import Client
from django.urls import resolve, reverse
from django.utils import translation

from portail.formats import long_date
from tests.factories import StudentFactory
from tests.pages import french, html_of

pytestmark = pytest.mark.django_db


def test_login_page_has_the_layout_and_a_labelled_form(client, settings):
    html = html_of(client.get(reverse("account_login")))

    assert '<html lang="fr">' in html
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert settings.BOARD_NAME in html
    assert f'href="mailto:{settings.HELPDESK_EMAIL}"' in html
    assert f"{settings.HELPDESK_PHONE}, poste {settings.HELPDESK_PHONE_EXTENSION}" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = html_of(client.get(reverse("account_login")))
    assert f"{settings.HELPDESK_PHONE}, ext. {settings.HELPDESK_PHONE_EXTENSION}" in english
    # Labels, not placeholders only, even though allauth asks for "unlabeled" fields.
    assert '<label class="field__label" for="id_login">' in html
    assert '<label class="field__label" for="id_password">' in html
    # Logged out: neither the name menu nor the top tabs.
    assert "user-menu" not in html
    assert "top-tabs" not in html


def test_language_switcher_offers_the_other_language_and_comes_back(client):
    path = reverse("account_login")
    html = html_of(client.get(path))
    assert f'action="{reverse("set_language")}"' in html
    assert f'<input type="hidden" name="next" value="{path}">' in html
    assert 'name="language" value="en"><span lang="en">English</span>' in html

    client.post(reverse("set_language"), {"language": "en", "next": path})
    html = html_of(client.get(path))
    assert '<html lang="en">' in html
    assert 'name="language" value="fr"><span lang="fr">Français</span>' in html


def test_a_logged_in_parents_switch_is_also_their_accounts_language(client, family):
    """Their emails follow the account's language (accounts.models.User.preferred_language)."""
    client.force_login(family.user)
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    family.user.refresh_from_db()
    assert family.user.preferred_language == "en"
    assert '<html lang="en">' in html_of(client.get(reverse("home")))
    client.post(reverse("set_language"), {"language": "xx", "next": reverse("home")})
    family.user.refresh_from_db()
    assert family.user.preferred_language == "en"


def test_wrong_password_is_announced_as_an_alert(client, family):
    response = client.post(
        reverse("account_login"), {"login": family.user.username, "password": "pas le bon"}
    )
    assert '<div class="form-errors" role="alert" tabindex="-1" autofocus>' in html_of(response)


def test_home_marks_its_tab_and_shows_the_name_menu(client, family):
    client.force_login(family.user)
    html = html_of(client.get(reverse("home")))

    assert f'<summary class="user-menu__toggle">{family.user.display_name}</summary>' in html
    assert f'href="{reverse("accounts:preferences")}"' in html
    logout = re.search(r'<form method="post" action="([^"]+)">\s*<input type="hidden" '
                       r'name="csrfmiddlewaretoken"', html)
    assert logout and logout.group(1) == reverse("account_logout")
    assert f'<a href="{reverse("home")}" aria-current="page">' in html
    assert f'<a href="{reverse("students:family")}">' in html
    for child in family.children:
        assert reverse("students:details", kwargs={"public_id": child.public_id}) in html
        assert f"{child.first_name} {child.last_name}" in html


def test_details_marks_the_family_tab_and_the_details_side_tab(client, family):
    child = family.children[0]
    child.homeroom = "105"
    child.save()
    client.force_login(family.user)
    url = reverse("students:details", kwargs={"public_id": child.public_id})
    html = html_of(client.get(url))

    assert f'<a href="{reverse("students:family")}" aria-current="page">' in html
    assert f'<a href="{url}" aria-current="page">' in html
    assert f'<a href="{reverse("home")}">' in html
    with translation.override("fr"):
        assert f"<dd>{long_date(child.date_of_birth)}</dd>" in html
    assert child.niso_display in html
    assert "<dd>105</dd>" in html

    address = html_of(client.get(reverse("students:address",
                                         kwargs={"public_id": child.public_id})))
    for line in child.address_lines:
        assert line in address


def test_a_parent_without_children_is_told_what_to_do(client, charlie, settings):
    client.force_login(charlie)
    for name in ("home", "students:family"):
        html = html_of(client.get(reverse(name)))
        assert french("You do not see any of your children yet. Your child's school links "
                      "your account to your children; if it cannot, contact the user help "
                      "centre.") in html
        assert f'href="mailto:{settings.HELPDESK_EMAIL}"' in html


def test_preferences_shows_the_email_read_only_and_field_errors(client, family):
    client.force_login(family.user)
    url = reverse("accounts:preferences")
    html = html_of(client.get(url))
    assert '<label class="field__label" for="id_preferred_language">' in html
    assert family.user.email in html
    assert 'name="email"' not in html
    assert french("Any change of email address or physical address must be made in person "
                  "at your school with the required documents.") in html

    html = html_of(client.post(url, {"preferred_language": "xx"}))
    assert '<ul class="errorlist" id="id_preferred_language_error">' in html
    assert re.search(r'<select[^>]*aria-invalid="true"[^>]*'
                     r'aria-describedby="id_preferred_language_error"', html)


def test_pages_carry_no_inline_script_or_style(client, family):
    # The CSP forbids them: the browser would drop them silently.
    client.force_login(family.user)
    urls = [
        reverse("home"),
        reverse("students:family"),
        reverse("students:details", kwargs={"public_id": family.children[0].public_id}),
        reverse("accounts:preferences"),
        reverse("account_logout"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()  # the markup itself, as the browser parses it
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " style=" not in html, url


def test_another_familys_child_gets_the_portal_404_page(client, family, settings):
    settings.DEBUG = False
    stranger = StudentFactory()
    client.force_login(family.user)
    response = client.get(
        reverse("students:details", kwargs={"public_id": stranger.public_id})
    )
    html = html_of(response, status=404)
    assert f"<h1>{french('Page not found')}</h1>" in html
    assert stranger.first_name not in html


@pytest.mark.django_db
def test_a_form_sent_from_a_stale_page_gets_the_portals_page_in_french():
    # The login form opened before signing in elsewhere: its CSRF token no longer holds.
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("account_login"))

    response = browser.post(reverse("account_login"), {"login": "x", "password": "y",
                                                       "csrfmiddlewaretoken": "x" * 32})

    html = html_of(response, status=403)
    assert '<html lang="fr">' in html
    assert f"<h1>{french('This form has expired')}</h1>" in html
    assert f'href="{reverse("home")}"' in html


def test_500_page_renders_without_a_request():
    html = render_to_string("500.html")
    assert "<h1>" in html and '<html lang="fr">' in html


def test_the_header_made_once_shows_each_request_its_own_values(family, other_family):
    # portail.templatetags.shell renders the header once per process and language: the
    # name, the path and the CSRF token are each request's, escaped.
    family.user.preferred_name = 'Zoé <b>"&'
    family.user.save()
    alice, bob = Client(enforce_csrf_checks=True), Client()
    alice.force_login(family.user)
    bob.force_login(other_family.user)
    html = alice.get(reverse("home") + '?x="<i>').content.decode()
    assert '<summary class="user-menu__toggle">Zoé &lt;b&gt;&quot;&amp;</summary>' in html
    assert f'<input type="hidden" name="next" value="{reverse("home")}?x=%22%3Ci%3E">' in html
    assert "placeholder" not in html
    bobs = bob.get(reverse("home")).content.decode()
    # Alice's name, not a child's random first name that may be the same.
    assert f">{other_family.user.display_name}</summary>" in bobs and "&lt;b&gt;" not in bobs
    # A path that holds a placeholder's text keeps it: each is replaced once, in one pass.
    tricky = alice.get(reverse("home") + "?q=portail-placeholder-name").content.decode()
    assert f'value="{reverse("home")}?q=portail-placeholder-name">' in tricky

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    switched = alice.post(reverse("set_language"), {"language": "en", "next": reverse("home"),
                                                    "csrfmiddlewaretoken": token})
    assert switched.status_code == 302
    html = alice.get(reverse("students:family")).content.decode()
    assert '<html lang="en">' in html and ">Log out</button>" in html
    assert f'<a href="{reverse("students:family")}" aria-current="page">' in html


def test_a_view_may_name_the_current_top_tab(rf, family):
    # The notifications pages pass active_tab.
    request = rf.get("/")
    request.user = family.user
    request.resolver_match = resolve(reverse("home"))
    html = Template("{% load shell %}{% page_header %}").render(
        RequestContext(request, {"active_tab": "family"}))
    assert f'<a href="{reverse("students:family")}" aria-current="page">' in html
    assert f'<a href="{reverse("home")}">' in html
