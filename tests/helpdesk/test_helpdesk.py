"""The help desk (Centre d'aide): find an account, act on it, and leave an audit trail.

An agent never sees a password or a security answer, and never acts on a staff account.
"""

import datetime
import re
from html import unescape
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts import lockouts
from accounts.audit import audit_record
from accounts.models import AuditEvent, StaffProfile, User
from accounts.roles import HELP_DESK
from accounts.services import security_answer_set
from outbox.models import OutboundEmail
from portail.formats import long_date
from portail.submissions import submission_token
from students.models import AccessCode, CalendarFeed, Guardian, ParentFormResponse, Student
from students.services import access_code_issue
from tests import factories
from tests.pages import french, html_of
from tests.signin import wrong_passwords
from tests.staff import make_staff, staff_group, staff_login
from tests.staff_session import admin_login
from tests.students.famille_factories import CalendarFeedFactory, ParentFormResponseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db) -> User:
    user = factories.UserFactory(username="agent.aide", first_name="Nadia", is_staff=True)
    user.groups.add(staff_group(HELP_DESK))
    return user


@pytest.fixture
def agent_client(client, agent) -> Client:
    admin_login(client, agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


def account_url(user: User) -> str:
    return reverse("helpdesk:account", args=[user.pk])


def act(client: Client, user: User, action: str, *, submission: str = "", **fields) -> tuple:
    """POST one action of the account's page, as its form does (with a page's one-time
    token: a new one unless given); the page after it, unescaped."""
    data = {"action": action, "submission": submission or submission_token(),
            **{f"{action}-{name}": value for name, value in fields.items()}}
    response = client.post(account_url(user), data)
    if response.status_code == 302:
        return response, html_of(client.get(response["Location"]))
    return response, unescape(response.content.decode())


def last_event(user: User, action: str) -> AuditEvent:
    return AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk),
                                     action=action).latest("at")


# --- Who may open the help desk ------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("helpdesk:home"))
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_staff_outside_the_help_desk_are_refused(client, db):
    secretary = factories.UserFactory(username="secretaire", is_staff=True)
    admin_login(client, secretary)
    assert client.get(reverse("helpdesk:home")).status_code == 403


def test_board_level_staff_may_use_it(client, db):
    board = factories.UserFactory(username="conseil", is_staff=True)
    StaffProfile.objects.create(user=board, board_level=True)
    admin_login(client, board)
    assert client.get(reverse("helpdesk:home")).status_code == 200


def test_an_agent_reads_a_students_admin_page_without_changing_it(client, family):
    # The help desk views students (no change permission): the page is read-only.
    agent = make_staff("agent.conseil", board_level=True, group=HELP_DESK)
    staff_login(client, agent)
    child = family.children[0]

    html = html_of(client.get(reverse("admin:students_student_change", args=[child.pk])))

    assert child.legal_last_name in html and str(family.guardian) in html
    assert 'name="status"' not in html


def test_a_parent_never_reaches_it(client, family):
    client.force_login(family.user)
    response = client.get(reverse("helpdesk:home"))
    assert response.status_code in (302, 403)
    assert french("User help centre") not in unescape(response.content.decode())


def test_a_staff_account_is_not_the_help_desks(agent_client, db):
    teacher = factories.UserFactory(username="enseignant", is_staff=True)
    assert agent_client.get(account_url(teacher)).status_code == 404
    assert agent_client.post(account_url(teacher), {"action": "password_reset"}).status_code \
        == 404


# --- Finding an account --------------------------------------------------------------------

def found(client: Client, term: str) -> list[User]:
    response = client.get(reverse("helpdesk:home"), {"q": term})
    assert response.status_code == 200
    return response.context["results"]


@pytest.mark.parametrize("term", ["alice.tremblay", "ALICE.TREMBLAY@example.com", "Alice Tremb",
                                  "tremblay alice"])
def test_find_by_login_id_email_or_name(agent_client, family, other_family, term):
    assert found(agent_client, term) == [family.user]


@pytest.mark.parametrize("typed", ["(613) 742-1234", "613.742.1234", "+1 613 742 1234",
                                   "742-1234"])
def test_find_by_a_guardian_phone_typed_any_way(agent_client, family, other_family, typed):
    Guardian.objects.filter(pk=family.guardian.pk).update(cell_phone="6137421234")
    assert found(agent_client, typed) == [family.user]


@pytest.mark.parametrize("typed", ["Levesque", "LEVESQUE", "lévesque", "Lévesque"])
def test_a_name_is_found_with_or_without_its_accents(agent_client, family, other_family,
                                                      typed):
    Guardian.objects.filter(pk=family.guardian.pk).update(last_name="Lévesque")
    assert found(agent_client, typed) == [family.user]


@pytest.mark.parametrize("typed", ["Lœuillet", "Loeuillet", "LOEUILLET"])
def test_a_name_with_a_ligature_is_found_either_way(agent_client, family, other_family, typed):
    Guardian.objects.filter(pk=family.guardian.pk).update(last_name="Lœuillet")
    assert found(agent_client, typed) == [family.user]


def test_accents_typed_where_the_record_has_none(agent_client, family, other_family):
    child = family.children[0]
    Student.objects.filter(pk=child.pk).update(preferred_first_name="Eloise")
    assert found(agent_client, "Éloïse") == [family.user]


def test_find_by_a_childs_name(agent_client, family, other_family):
    child = family.children[1]
    assert found(agent_client, f"{child.first_name} {child.last_name}") == [family.user]
    assert found(agent_client, other_family.children[0].first_name + " Gagnon") == [
        other_family.user]


def test_results_show_the_state_of_each_account(agent_client, family, other_family, charlie):
    EmailAddress.objects.filter(user=other_family.user).update(verified=False)
    User.objects.filter(pk=charlie.pk).update(is_active=False, last_name="Tremblay")

    html = html_of(agent_client.get(reverse("helpdesk:home"), {"q": "tremblay"}))
    assert french("Active") in html
    assert french("Deactivated") in html
    html = html_of(agent_client.get(reverse("helpdesk:home"), {"q": "gagnon"}))
    assert french("Awaiting validation") in html


@pytest.fixture
def pending_signup(family):
    """Marc, known to the school as a child's father, signed up with the code the school
    gave him and has not validated his email yet: no child is his until then."""
    child = family.children[0]
    contact = factories.GuardianFactory(first_name="Marc", last_name="Bouchard",
                                        email="marc.b@example.com", primary_phone="",
                                        cell_phone="8195550199")
    factories.StudentGuardianFactory(student=child, guardian=contact, relationship="father")
    access_code, code = access_code_issue(guardian=contact, issued_by=None)
    user = factories.UserFactory(username="m.bouchard", first_name="Marc",
                                 last_name="Bouchard", email="marc.b@example.com")
    EmailAddress.objects.filter(user=user).update(verified=False)
    AccessCode.objects.filter(pk=access_code.pk).update(claimed_by=user)
    return SimpleNamespace(user=user, contact=contact, child=child, code=code)


def matched_for(client: Client, term: str, user: User) -> list[str]:
    [result] = [found_user for found_user in found(client, term) if found_user == user]
    return result.matched


@pytest.mark.parametrize(("term", "matched"), [
    ("child", "child's name"), ("phone", "phone"), ("code", "access code"),
])
def test_a_pending_code_signup_is_found_by_its_childs_name_phone_or_code(
        agent_client, pending_signup, other_family, term, matched):
    child = pending_signup.child
    typed = {"child": f"{child.first_name} {child.last_name}", "phone": "819 555-0199",
             "code": pending_signup.code.lower()}[term]

    assert pending_signup.user in found(agent_client, typed)
    assert french(matched) in matched_for(agent_client, typed, pending_signup.user)
    html = html_of(agent_client.get(reverse("helpdesk:home"), {"q": typed}))
    assert french("Found by") in html
    assert french("Awaiting validation: signed up with a school's access code") in html


def test_results_say_which_field_matched(agent_client, family):
    assert matched_for(agent_client, "alice.tremblay@example", family.user) == [
        french("email")]
    assert matched_for(agent_client, "alice.tremblay", family.user) == [
        french("login ID"), french("email")]
    assert matched_for(agent_client, "613 555-0123", family.user) == [french("phone")]
    child = family.children[0]
    assert french("child's name") in matched_for(agent_client, child.first_name, family.user)


def test_a_pending_signups_page_says_what_will_happen(agent_client, pending_signup):
    html = html_of(agent_client.get(account_url(pending_signup.user)))

    children = html[html.index('id="children-title"'):html.index('id="history-title"')]
    assert french("No child is linked to this account. The school links a parent to their "
                  "children.") not in children
    assert french("This parent signed up with an access code from the school and has not "
                  "validated their email yet. Once they click “Valider votre compte” in the "
                  "email, these children appear on their account:") in children
    assert pending_signup.child.first_name in children
    assert pending_signup.child.school.name in children
    assert 'value="resend_validation"' in html

    response, html = act(agent_client, pending_signup.user, "resend_validation")
    assert OutboundEmail.objects.get(template="account/email_confirmation").recipient == \
        "marc.b@example.com"


def test_the_unlock_button_shows_only_on_a_locked_account(agent_client, family):
    user = family.user
    assert 'value="unlock"' not in html_of(agent_client.get(account_url(user)))
    assert act(agent_client, user, "unlock")[0].status_code == 400

    wrong_passwords([user.username], ["203.0.113.7"], lockouts.LOCK_AFTER)
    assert 'value="unlock"' in html_of(agent_client.get(account_url(user)))


def test_the_waits_before_the_lock_show_and_can_be_lifted(agent_client, family):
    # After the 5th to 9th wrong password the parent is told to try later: and calls.
    user = family.user
    wrong_passwords([user.username], ["203.0.113.7"], lockouts.FREE_FAILURES + 1)
    assert not logs_in(user, "203.0.113.7")
    html = html_of(agent_client.get(account_url(user)))
    assert french("Made to wait after failed logins, until %(time)s").split("%(")[0] in html
    # Each state starts its own phrase: « Actif · En attente… », not « Actif, En attente… ».
    assert (f'{french("Active")} · '
            f'{french("Made to wait after failed logins, until %(time)s").split("%(")[0]}'
            ) in html
    assert 'value="unlock"' in html

    _response, html = act(agent_client, user, "unlock")

    assert french("The account is unlocked: the parent can log in again.") in html
    assert logs_in(user, "203.0.113.7")


def test_an_action_sent_twice_acts_once(agent_client, family):
    """A double click, or Back and send again: the page's token comes twice."""
    user = family.user
    token = submission_token()

    first, _html = act(agent_client, user, "password_reset", submission=token)
    again, html = act(agent_client, user, "password_reset", submission=token)

    assert (first.status_code, again.status_code) == (302, 302)
    assert OutboundEmail.objects.filter(template="account/password_reset_key").count() == 1
    assert AuditEvent.objects.filter(action="helpdesk_password_reset").count() == 1
    assert french("This form was already sent: nothing was done again.") in html


def test_staff_accounts_are_not_found(agent_client, family):
    factories.UserFactory(username="tremblay.direction", last_name="Tremblay", is_staff=True)
    assert found(agent_client, "tremblay") == [family.user]


def test_the_account_page_shows_no_secret(agent_client, family):
    user = family.user
    security_answer_set(user=user, question="first_pet", answer="Pompon")
    user.refresh_from_db()

    html = html_of(agent_client.get(account_url(user)))
    assert user.username in html
    assert family.children[0].school.name in html
    assert str(user.get_security_question_display()) in html
    for secret in (user.password, user.security_answer, "Pompon"):
        assert secret not in html
    assert 'type="password"' not in html


def test_the_children_show_why_the_parent_does_not_see_one(agent_client, family):
    adult, child = family.children
    adult.date_of_birth = datetime.date(2000, 1, 1)  # an adult, whose consent is not recorded
    adult.save(update_fields=["date_of_birth"])

    html = html_of(agent_client.get(account_url(family.user)))
    children = html[html.index('id="children-title"'):html.index('id="history-title"')]
    # Each child is in a school of their own: the row from the school to its end.
    adult_row, child_row = (children[children.index(student.school.name):].split("</tr>")[0]
                            for student in (adult, child))
    assert french("Adult student: no consent recorded") in adult_row
    assert french("On") in child_row
    assert french("Adult student: no consent recorded") not in child_row


# --- The actions ---------------------------------------------------------------------------

def test_resend_the_validation_email(agent_client, agent, family):
    user = family.user
    EmailAddress.objects.filter(user=user).update(verified=False)

    response, html = act(agent_client, user, "resend_validation")

    assert response.status_code == 302
    sent = french("A new validation email was sent to %(email)s.") % {"email": user.email}
    assert sent in html
    email = OutboundEmail.objects.get(template="account/email_confirmation")
    assert email.recipient == user.email
    assert "/compte/valider/" in email.context["activate_url"]
    event = last_event(user, "helpdesk_validation_email")
    assert event.actor == agent


def test_no_validation_email_for_a_validated_account(agent_client, family):
    response, html = act(agent_client, family.user, "resend_validation")
    # The button is not offered, and a forged POST is refused.
    assert response.status_code == 400
    assert not OutboundEmail.objects.exists()


def test_send_a_password_reset_link_that_works(agent_client, agent, family, client):
    user = family.user

    response, html = act(agent_client, user, "password_reset")

    sent = french("A password reset link was sent to %(email)s.") % {"email": user.email}
    assert sent in html
    email = OutboundEmail.objects.get(template="account/password_reset_key")
    assert email.recipient == user.email
    assert last_event(user, "helpdesk_password_reset").actor == agent
    # The parent's link leads to the new-password form.
    parent = Client()
    page = parent.get(email.context["password_reset_url"], follow=True)
    assert 'name="password1"' in page.content.decode()


def logs_in(user: User, ip: str) -> bool:
    visitor = Client(REMOTE_ADDR=ip)
    visitor.post(reverse("account_login"), {"login": user.username,
                                            "password": factories.PASSWORD})
    return "_auth_user_id" in visitor.session


@pytest.fixture(params=["locmem", "redis"])
def each_cache(request, settings):
    """The lockout is lifted both with the embedded default's cache and with Redis."""
    if request.param == "redis":
        from tests.conftest import require

        require(bool(settings.REDIS_URL), "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/N")
        settings.CACHES = {**settings.CACHES, "default": {
            "BACKEND": "django_redis.cache.RedisCache", "LOCATION": settings.REDIS_URL,
            # A prefix of the test's own: nothing else in that database is touched.
            "KEY_PREFIX": f"helpdesk-test-{request.node.name}",
        }}
    else:
        settings.CACHES = {**settings.CACHES, "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "helpdesk-test"}}
    return request.param


def test_unlock_an_account_held_by_failed_logins(each_cache, agent_client, agent, family):
    user = family.user
    # Ten wrong passwords from two addresses, by login ID and email: the account is locked.
    wrong_passwords([user.username, user.email], ["203.0.113.7", "198.51.100.4"], 10)
    assert not logs_in(user, "203.0.113.7")
    assert french("Locked: too many failed logins") in html_of(
        agent_client.get(account_url(user)))

    response, html = act(agent_client, user, "unlock")

    assert french("The account is unlocked: the parent can log in again.") in html
    assert french("Locked: too many failed logins") not in html
    assert last_event(user, "helpdesk_unlock").after == {"was_locked": True}
    assert logs_in(user, "203.0.113.7")
    assert logs_in(user, "198.51.100.4")


def reset_requested(login: str, ip: str) -> bool:
    """Whether "Réinitialiser votre mot de passe" takes the request (allauth answers 429
    once the login is over its limit)."""
    response = Client(REMOTE_ADDR=ip).post(reverse("account_reset_password"), {"email": login})
    return response.status_code != 429


def test_unlock_also_lifts_the_limits_on_the_accounts_reset_requests(
        each_cache, agent_client, family):
    user = family.user
    wrong_passwords([user.username, user.email], ["203.0.113.7", "198.51.100.4"], 10)
    # Five reset requests a minute for one email or login ID, from any address.
    for number in range(5):
        assert reset_requested(user.email, f"192.0.2.{number}")
        assert reset_requested(user.username, f"192.0.2.{number}")
    assert not reset_requested(user.email, "192.0.2.9")
    assert not reset_requested(user.username, "192.0.2.9")

    act(agent_client, user, "unlock")

    assert reset_requested(user.email, "192.0.2.9")
    assert reset_requested(user.username, "192.0.2.9")


def test_deactivate_needs_a_reason_then_reactivate(agent_client, agent, family):
    user = family.user
    response, html = act(agent_client, user, "deactivate", reason="")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.is_active

    response, html = act(agent_client, user, "deactivate", reason="Appel du parent : vol")
    user.refresh_from_db()
    assert not user.is_active
    assert last_event(user, "helpdesk_deactivate").reason == "Appel du parent : vol"
    assert not logs_in(user, "203.0.113.7")

    response, html = act(agent_client, user, "reactivate")
    user.refresh_from_db()
    assert user.is_active
    assert last_event(user, "helpdesk_reactivate").actor == agent


def test_change_the_email_needs_a_reason_and_a_document(agent_client, family):
    response, html = act(agent_client, family.user, "email", email="nouveau@example.com",
                         reason="", document="")
    assert response.status_code == 200
    assert html.count('class="errorlist') >= 2
    family.user.refresh_from_db()
    assert family.user.email == "alice.tremblay@example.com"


def test_an_email_of_another_account_is_refused(agent_client, family, other_family):
    response, html = act(agent_client, family.user, "email",
                         email=other_family.user.email.upper(), reason="Demande",
                         document="Permis")
    assert response.status_code == 200
    assert french("An account already uses this email.") in html


def test_change_the_email(agent_client, agent, family):
    user, old = family.user, family.user.email

    response, html = act(agent_client, user, "email", email="alice@nouveau.example",
                         reason="Nouvelle adresse", document="Permis de conduire")

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "alice@nouveau.example"
    assert list(EmailAddress.objects.filter(user=user).values_list(
        "email", "verified", "primary")) == [("alice@nouveau.example", True, True)]
    family.guardian.refresh_from_db()
    assert family.guardian.email == "alice@nouveau.example"
    told = OutboundEmail.objects.get(template="account/address_changed")
    assert told.recipient == old
    assert told.context == {"change": "email"}
    event = last_event(user, "helpdesk_email_change")
    assert event.actor == agent
    assert event.reason == "Nouvelle adresse"
    assert event.before["email"] == old
    assert event.after["document_seen"] == "Permis de conduire"


def test_change_the_postal_address(agent_client, agent, family):
    guardian = family.guardian
    response, html = act(agent_client, family.user, "address", street="1, rue Neuve",
                         city="Ottawa", province="ON", postal_code="k1g 6c4",
                         reason="Déménagement", document="Bail")
    assert response.status_code == 302
    guardian.refresh_from_db()
    assert (guardian.street, guardian.city, guardian.postal_code) == (
        "1, rue Neuve", "Ottawa", "K1G 6C4")
    told = OutboundEmail.objects.get(template="account/address_changed")
    assert (told.recipient, told.context) == (family.user.email, {"change": "postal"})
    event = AuditEvent.objects.get(action="helpdesk_address_change")
    assert event.object_type == "students.guardian"
    assert event.before["postal_code"] == "K1C 2N4"
    assert event.after["document_seen"] == "Bail"


def test_a_bad_postal_code_changes_nothing(agent_client, family):
    response, html = act(agent_client, family.user, "address", street="1, rue Neuve",
                         city="Ottawa", province="ON", postal_code="12345",
                         reason="Déménagement", document="Bail")
    assert response.status_code == 200
    family.guardian.refresh_from_db()
    assert family.guardian.street == "12, rue des Érables"
    assert not AuditEvent.objects.filter(action="helpdesk_address_change").exists()


def test_check_a_security_answer_says_only_whether_it_matches(agent_client, agent, family):
    user = family.user
    security_answer_set(user=user, question="first_pet", answer="Pompon")

    response, html = act(agent_client, user, "security_check", answer="  pompon ")
    assert french("Matches") in html
    assert "pompon" not in html.lower()

    response, html = act(agent_client, user, "security_check", answer="Minou")
    assert french("Does not match") in html
    assert "Minou" not in html
    history = html[html.index('id="history-title"'):]
    assert french("Security answer checked: it matched") in history
    assert french("Security answer checked: it did not match") in history
    assert [event.after for event in AuditEvent.objects.filter(
        action="helpdesk_security_check").order_by("at")] == [{"matches": True},
                                                               {"matches": False}]


def test_security_checks_are_limited_per_account_and_the_refusal_recorded(
        agent_client, agent, family, other_family):
    user = family.user
    security_answer_set(user=user, question="first_pet", answer="Pompon")
    for _attempt in range(5):
        act(agent_client, user, "security_check", answer="Minou")

    response, html = act(agent_client, user, "security_check", answer="Pompon")

    assert french("Too many checks for this account: try again in an hour. "
                  "This refusal is recorded.") in html
    assert french("Matches") not in html
    assert last_event(user, "helpdesk_security_check_refused").actor == agent
    assert AuditEvent.objects.filter(action="helpdesk_security_check").count() == 5
    # Another account is not held by this one's limit.
    security_answer_set(user=other_family.user, question="first_pet", answer="Rex")
    response, html = act(agent_client, other_family.user, "security_check", answer="Rex")
    assert french("Matches") in html


def test_merge_two_accounts_of_one_person(agent_client, agent, family, db):
    kept = family.user
    duplicate = factories.UserFactory(username="atremblay2", first_name="Alice",
                                      last_name="Tremblay")
    other_guardian = factories.GuardianFactory(user=duplicate, email=duplicate.email)
    new_child = factories.StudentFactory(legal_last_name="Tremblay")
    moved = factories.StudentGuardianFactory(student=new_child, guardian=other_guardian)
    # The same child linked twice: the kept account's link stays the one.
    twice = factories.StudentGuardianFactory(student=family.children[0], guardian=other_guardian)
    answer = ParentFormResponseFactory(answered_by=duplicate, student=new_child)
    CalendarFeedFactory(user=duplicate, student=new_child)
    CalendarFeedFactory(user=duplicate, student=family.children[0])
    CalendarFeedFactory(user=kept, student=family.children[0])

    response, html = act(agent_client, kept, "merge", other="ATREMBLAY2",
                         reason="Deux comptes créés", confirm="on")

    assert response.status_code == 302
    moved.refresh_from_db()
    twice.refresh_from_db()
    assert moved.guardian == family.guardian
    assert twice.guardian == other_guardian
    assert ParentFormResponse.objects.get(pk=answer.pk).answered_by == kept
    assert sorted(CalendarFeed.objects.values_list("user__username", "student_id")) == sorted(
        [(kept.username, new_child.pk), (kept.username, family.children[0].pk)])
    duplicate.refresh_from_db()
    assert not duplicate.is_active
    assert last_event(duplicate, "helpdesk_merge").after["merged_into"] == kept.pk
    assert last_event(kept, "helpdesk_merge").after == {"merged_from": duplicate.pk,
                                                        "links_moved": 1}
    assert AuditEvent.objects.filter(action="helpdesk_merge", actor=agent,
                                     object_type="students.studentguardian",
                                     object_id=str(moved.pk)).exists()
    # The kept account now sees the child of the other one.
    client = Client()
    client.force_login(kept)
    assert new_child.first_name in html_of(client.get(reverse("students:family")))


def test_merge_moves_a_guardian_contact_to_an_account_without_one(agent_client, charlie, family):
    response, html = act(agent_client, charlie, "merge", other=family.user.username,
                         reason="Même personne", confirm="on")
    assert response.status_code == 302
    family.guardian.refresh_from_db()
    assert family.guardian.user == charlie


@pytest.mark.parametrize("other", ["alice.tremblay", "directrice", "personne"])
def test_merge_refuses_itself_a_staff_account_and_an_unknown_one(agent_client, family, other):
    factories.UserFactory(username="directrice", is_staff=True)
    response, html = act(agent_client, family.user, "merge", other=other, reason="Test",
                         confirm="on")
    assert response.status_code == 200
    assert 'class="errorlist' in html
    assert not AuditEvent.objects.filter(action="helpdesk_merge").exists()
    assert User.objects.filter(is_active=False).count() == 0


def test_merge_needs_the_confirmation(agent_client, family, charlie):
    response, html = act(agent_client, family.user, "merge", other="charlie", reason="Test")
    assert response.status_code == 200
    charlie.refresh_from_db()
    assert charlie.is_active


ACTIONS = [
    ("resend_validation", {}, "helpdesk_validation_email"),
    ("password_reset", {}, "helpdesk_password_reset"),
    ("unlock", {}, "helpdesk_unlock"),
    ("deactivate", {"reason": "Fraude"}, "helpdesk_deactivate"),
    ("email", {"email": "neuf@example.com", "reason": "R", "document": "D"},
     "helpdesk_email_change"),
    ("security_check", {"answer": "x"}, "helpdesk_security_check"),
    ("merge", {"other": "charlie", "reason": "R", "confirm": "on"}, "helpdesk_merge"),
]


@pytest.mark.parametrize(("action", "fields", "recorded"), ACTIONS)
def test_every_action_is_audited_and_shown_in_the_history(agent_client, agent, family, charlie,
                                                          action, fields, recorded):
    user = family.user
    if action == "resend_validation":
        EmailAddress.objects.filter(user=user).update(verified=False)
    if action == "security_check":
        security_answer_set(user=user, question="first_pet", answer="Pompon")
    if action == "unlock":
        wrong_passwords([user.username], ["203.0.113.7"], lockouts.LOCK_AFTER)

    response, html = act(agent_client, user, action, **fields)

    assert response.status_code == 302
    event = last_event(user, recorded)
    assert event.actor == agent
    history = html[html.index('id="history-title"'):]
    assert agent.username in history


def test_an_action_needs_the_csrf_token(agent, family):
    client = Client(enforce_csrf_checks=True)
    admin_login(client, agent)
    response = client.post(account_url(family.user), {"action": "password_reset"})
    assert response.status_code == 403
    assert not OutboundEmail.objects.exists()


def test_history_names_the_portal_for_an_action_without_an_actor(agent_client, family):
    audit_record(actor=None, action="guardian_account_closed", instance=family.user,
                 reason="Élève retiré")
    html = html_of(agent_client.get(account_url(family.user)))
    history = html[html.index('id="history-title"'):]
    assert french("The portal") in history
    assert "Élève retiré" in history


def test_history_names_the_admin_s_changes_as_the_trail_does(agent_client, family):
    for action in ("admin.change", "account.password_set"):
        audit_record(actor=None, action=action, instance=family.user)
    html = html_of(agent_client.get(account_url(family.user)))
    history = html[html.index('id="history-title"'):]
    assert french("Changed in the admin") in history
    assert french("Password set in the admin") in history
    assert "admin.change" not in history and "account.password_set" not in history


def test_search_reads_a_fixed_number_of_rows_whatever_the_results(agent_client, family,
                                                                   django_assert_max_num_queries):
    for number in range(8):
        factories.make_family(last_name="Tremblay", parent_first_name=f"Parent{number}",
                              children=1)
    with django_assert_max_num_queries(12):
        assert len(found(agent_client, "tremblay")) == 9


def test_pending_signups_are_read_in_the_same_fixed_number_of_queries(agent_client, family):
    child = family.children[0]

    def pending_signups(count: int) -> None:
        for number in range(count):
            contact = factories.GuardianFactory(first_name=f"Parent{number}", last_name="Roy")
            factories.StudentGuardianFactory(student=child, guardian=contact)
            access_code, _code = access_code_issue(guardian=contact, issued_by=None)
            user = factories.UserFactory(username=f"attente{count}.{number}", last_name="Roy")
            EmailAddress.objects.filter(user=user).update(verified=False)
            AccessCode.objects.filter(pk=access_code.pk).update(claimed_by=user)

    def search() -> tuple[list[User], int]:
        with CaptureQueriesContext(connection) as queries:
            results = found(agent_client, child.first_name)
        # The session's own writes come when it is due, whatever the search.
        return results, len([query for query in queries.captured_queries
                             if "django_session" not in query["sql"]
                             and "SAVEPOINT" not in query["sql"]])

    pending_signups(1)
    _results, one = search()
    pending_signups(5)
    results, six = search()

    assert six == one
    pending = [user for user in results if user.username.startswith("attente")]
    assert len(pending) == 6
    assert all(french("child's name") in user.matched for user in pending)


def test_a_parent_with_two_step_login_leads_to_their_devices(client, family):
    # A parent lost the phone: the agent goes from the account to its device, to remove it.
    agent_client = staff_login(client, make_staff("aide.tel", board_level=True,
                                                  group=HELP_DESK))
    # Another parent's login ID starts with this one's: their phone must not be listed too.
    other = factories.UserFactory(username=f"{family.user.username}2")
    device = TOTP.activate(family.user, generate_totp_secret()).instance
    others_device = TOTP.activate(other, generate_totp_secret()).instance
    html = html_of(agent_client.get(account_url(family.user)))
    link = re.search(r'<a href="([^"]+)">{}</a>'.format(re.escape(french(
        "Their two-step login devices (to remove one when the phone is lost)"))), html)

    response = agent_client.get(unescape(link.group(1)))

    assert response.status_code == 200
    devices = html_of(response)
    assert reverse("admin:mfa_authenticator_change", args=[device.pk]) in devices
    assert reverse("admin:mfa_authenticator_change", args=[others_device.pk]) not in devices
    # The login ID stays out of the address (proxies' and browsers' logs).
    assert family.user.username not in link.group(1)


def test_a_code_not_yet_used_says_whom_it_was_issued_to(agent_client, family):
    # The letter's code "does not work": no account yet, but the agent learns whose it is.
    guardian = factories.GuardianFactory(first_name="Pierre", last_name="Gagnon")
    factories.StudentGuardianFactory(student=family.children[0], guardian=guardian)
    access_code, code = access_code_issue(guardian=guardian, issued_by=None)

    html = html_of(agent_client.get(reverse("helpdesk:home"), {"q": code.lower()}))

    with translation.override("fr"):
        dates = {"issued": long_date(timezone.localdate(access_code.created_at)),
                 "expires": long_date(timezone.localdate(access_code.expires_at))}
    assert french("This access code was issued to %(name)s on %(issued)s and is valid until "
                  "%(expires)s: no account was created with it yet.") % {
        "name": guardian, **dates} in html

    access_code.created_at -= datetime.timedelta(days=40)
    access_code.expires_at -= datetime.timedelta(days=40)
    access_code.save()
    html = html_of(agent_client.get(reverse("helpdesk:home"), {"q": code}))
    assert french("This access code, issued to %(name)s on %(issued)s, expired on "
                  "%(expires)s: the school issues a new one.").split("%(name)s")[0] in html


def test_a_used_code_whose_account_is_gone_says_it_was_used(agent_client, family):
    # The account that signed up with the code was deleted since: the code is not valid again.
    guardian = factories.GuardianFactory(first_name="Pierre", last_name="Gagnon")
    factories.StudentGuardianFactory(student=family.children[0], guardian=guardian)
    access_code, code = access_code_issue(guardian=guardian, issued_by=None)
    access_code.used_at = timezone.now()
    access_code.save()

    html = html_of(agent_client.get(reverse("helpdesk:home"), {"q": code}))

    with translation.override("fr"):
        issued = long_date(timezone.localdate(access_code.created_at))
    assert french("This access code, issued to %(name)s on %(issued)s, was used.") % {
        "name": guardian, "issued": issued} in html
