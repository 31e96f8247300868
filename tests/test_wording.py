"""French everywhere parents and staff look: every parent page and every admin page a
secretary (and the board, for staff and two-step devices) uses, rendered in French, shows
no English word and none of the third-party catalogues' known slips."""

import re
from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.roles import BOARD_ADMINISTRATION, HELP_DESK, SCHOOL_STAFF
from portail.wording import THIRD_PARTY_MSGIDS
from tests import factories
from tests.pages import french, html_of
from tests.staff import make_staff, staff_group, staff_login
from tests.staff_session import totp_secret_for

pytestmark = pytest.mark.django_db

# English a French page must not show, and the slips seen in allauth's and Django's French.
ENGLISH = re.compile(
    r"\b(the|and|you|your|of|with|Add|Change|Delete|Save|Search|Filter|Select|History|"
    r"Authenticators?|Can (add|change|delete|view)|created at|last used at|Email|Password|"
    r"Username|Log in|Sign in|Forgot)\b")
SLIPS = re.compile(
    r"pseudo|e-mail|Ajout de |Modification de |Affichage de |modifiez|Mot de passe oublié|"
    r"authentificateur|deux facteurs|Administration de |\bde (utilisateur|élève|adresse|école)",
    re.IGNORECASE)


class _Text(HTMLParser):
    """What a reader meets: the text, and the labels a screen reader or a button shows."""

    SHOWN = {"title", "aria-label", "placeholder", "alt"}

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._hidden += 1
        attributes = dict(attrs)
        self.parts += [value for name, value in attrs if name in self.SHOWN and value]
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def shown_text(response) -> str:
    parser = _Text()
    parser.feed(html_of(response))
    return " ".join(" ".join(parser.parts).split())


def assert_french(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    text = shown_text(response)
    for pattern in (ENGLISH, SLIPS):
        found = pattern.search(text)
        assert not found, f"{url}: «{found[0]}» in …{text[found.start() - 60:found.end() + 60]}…"


def test_our_catalogue_translates_the_third_party_msgids_itself():
    """portail.wording: each msgid has our French (the third party's says "e-mail"…)."""
    for msgid in THIRD_PARTY_MSGIDS:
        with translation.override("fr"):
            ours = translation.gettext(msgid)
        assert ours != msgid and not SLIPS.search(ours), (msgid, ours)


def test_the_login_error_says_login_id(client, family):
    response = client.post(reverse("account_login"), {"login": family.user.username,
                                                      "password": "pas-le-bon"})

    text = shown_text(response)
    assert french("The username and/or password you specified are not correct.") in text
    assert "identifiant de connexion" in text

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("account_login"), {"login": family.user.username,
                                                      "password": "pas-le-bon"})
    assert "The login ID or password is incorrect." in shown_text(response)


def test_parent_pages_are_french(client, family, famille_today):
    anonymous = [reverse(name) for name in [
        "account_login", "accounts:signup", "accounts:signup_profile", "accounts:recovery",
        "accounts:recover_login_id", "account_reset_password"]]
    for url in anonymous:
        assert_french(client, url)

    client.force_login(family.user)
    factories.SchoolYearFactory()
    child = family.children[1].public_id
    pages = [reverse(name) for name in [
        "home", "students:family", "accounts:preferences", "accounts:security",
        "notifications:family", "mfa_index"]]
    pages += [reverse(f"students:{name}", args=[child]) for name in [
        "details", "address", "contacts", "photo", "attendance", "forms", "timetable",
        "enrolments"]]
    pages += [reverse("students:documents:list", args=[child]),
              reverse("notifications:child", args=[child])]
    for url in pages:
        assert_french(client, url)


def test_the_secretarys_admin_pages_are_french(client, family):
    child = family.children[0]
    secretary = make_staff("secretariat", schools=[child.school], group=SCHOOL_STAFF)
    staff_login(client, secretary)
    pages = [reverse("admin:index"), reverse("admin:app_list", args=["students"]),
             reverse("imports:upload")]
    for model, obj in [("student", child), ("guardian", family.guardian),
                       ("studentguardian", family.links[0]), ("enrolment", None),
                       ("attendancerecord", None)]:
        pages.append(reverse(f"admin:students_{model}_changelist"))
        pages.append(reverse(f"admin:students_{model}_add"))
        if obj is not None:
            pages.append(reverse(f"admin:students_{model}_change", args=[obj.pk]))
    contact = factories.StudentGuardianFactory(student=child).guardian  # no account yet
    pages += [reverse("admin:students_guardian_access_code", args=[contact.pk]),
              reverse("admin:accounts_user_changelist"),
              reverse("admin:accounts_user_change", args=[family.user.pk])]
    for url in pages:
        assert_french(client, url)


def test_the_boards_staff_and_device_pages_are_french(client, family):
    administrator = make_staff("admin.conseil", board_level=True, group=BOARD_ADMINISTRATION)
    staff_login(client, administrator)
    colleague = make_staff("collegue", schools=[family.children[0].school])
    group = staff_group(SCHOOL_STAFF)
    pages = [reverse("admin:accounts_user_add"),
             reverse("admin:accounts_user_change", args=[colleague.pk]),
             reverse("admin:auth_group_change", args=[group.pk]),
             reverse("admin:mfa_authenticator_changelist"),
             reverse("admin:mfa_authenticator_change",
                     args=[Authenticator.objects.get(user=administrator).pk]),
             reverse("admin:account_emailaddress_changelist"),
             reverse("admin:app_list", args=["accounts"])]
    for url in pages:
        assert_french(client, url)
    assert Group.objects.filter(name=SCHOOL_STAFF).exists()


def test_no_list_action_deletes_devices_and_the_help_desk_keeps_off_staffs(client, family):
    """No "Supprimer les authenticators sélectionnés"; a colleague's device is the board's
    administration's to remove, never the help desk's."""
    agent = make_staff("agent", board_level=True, group=HELP_DESK)
    colleague = make_staff("collegue", schools=[family.children[0].school])
    totp_secret_for(colleague)
    totp_secret_for(family.user)
    staff_login(client, agent)
    devices = reverse("admin:mfa_authenticator_changelist")
    colleagues = Authenticator.objects.get(user=colleague)
    parents = Authenticator.objects.get(user=family.user)

    assert 'name="action"' not in html_of(client.get(devices))
    client.post(devices, {"action": "delete_selected", "_selected_action": [colleagues.pk],
                          "post": "yes"})
    delete = "admin:mfa_authenticator_delete"
    assert client.post(reverse(delete, args=[colleagues.pk]), {"post": "yes"}).status_code == 403
    assert client.post(reverse(delete, args=[parents.pk]), {"post": "yes"}).status_code == 302
    assert list(Authenticator.objects.filter(user__in=[colleague, family.user])) == [colleagues]
