"""A school links guardians to their portal accounts, and sees each account's state.

The student's page lists its guardians' portal connections; a secretary links an existing
account or issues a one-time access code (a printed letter shown once, or an email) that
the existing-parent sign-up consumes. Every step is audited.
"""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts import lockouts
from accounts.models import AuditEvent
from outbox.delivery import render_email
from outbox.models import OutboundEmail
from portail.formats import long_date
from students.connections import portal_connections
from students.models import AccessCode
from students.services import (
    ACCESS_CODE_EXPIRE,
    ACCESS_CODE_ISSUE,
    access_code_find,
    access_code_issue,
    claimed_guardian_link,
)
from tests import factories
from tests.pages import french, french_in_context, html_of
from tests.signin import wrong_passwords
from tests.staff import make_staff, staff_login
from tests.students.test_admin import form_data

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def account_state(msgid: str) -> str:
    return french_in_context("portal account", msgid)


def student_page(child) -> str:
    return reverse("admin:students_student_change", args=[child.pk])


def guardian_page(guardian) -> str:
    return reverse("admin:students_guardian_change", args=[guardian.pk])


def issue_page(guardian) -> str:
    return reverse("admin:students_guardian_access_code", args=[guardian.pk])


def letter_page(guardian) -> str:
    return reverse("admin:students_guardian_access_code_letter", args=[guardian.pk])


def issue(client, guardian, delivery: str = "letter", *, data=None):
    """Send the issue form as shown (with its one-time token); the page it leads to."""
    data = data or {**form_data(client.get(issue_page(guardian)), "access_code_form"),
                    "delivery": delivery}
    return client.post(issue_page(guardian), data, follow=True)


def connection_row(html: str, guardian) -> str:
    """The portal connections table's row of this guardian."""
    table = re.search(r'<table class="portal-connections">.*?</table>', html, re.S)
    assert table, "no portal connections on the page"
    rows = re.findall(r"<tr>.*?</tr>", table.group(0), re.S)
    [row] = [row for row in rows if str(guardian) in row]
    return row


def french_date(moment: datetime.datetime) -> str:
    with translation.override("fr"):
        return long_date(timezone.localtime(moment))


@pytest.fixture
def contact(family):
    """A second guardian of Alice's first child, known to the school, without an account."""
    guardian = factories.GuardianFactory(first_name="Marc", last_name="Tremblay",
                                         email="marc.tremblay@example.com",
                                         preferred_language="fr")
    factories.StudentGuardianFactory(student=family.children[0], guardian=guardian,
                                     relationship="father", contact_order=2)
    return guardian


# --- Portal connections on the student's page ----------------------------------------------

def test_each_guardians_account_state_is_shown(secretary_client, family, contact):
    child = family.children[0]
    TOTP.activate(family.user, generate_totp_secret())
    awaiting = factories.UserFactory(username="attente")
    EmailAddress.objects.filter(user=awaiting).update(verified=False)
    waiting = factories.GuardianFactory(first_name="Wanda", last_name="Attente", user=awaiting)
    locked_user = factories.UserFactory(username="bloque", is_active=False)
    locked = factories.GuardianFactory(first_name="Luc", last_name="Bloque", user=locked_user)
    barred = factories.GuardianFactory(first_name="Bruno", last_name="Interdit")
    for guardian in (waiting, locked):
        factories.StudentGuardianFactory(student=child, guardian=guardian, contact_order=3)
    factories.StudentGuardianFactory(student=child, guardian=barred, has_custody=False,
                                     portal_access=False,
                                     portal_access_off_reason="Ordonnance du tribunal")
    pending, _code = access_code_issue(guardian=contact, issued_by=None)

    html = html_of(secretary_client.get(student_page(child)))

    alice = connection_row(html, family.guardian)
    assert account_state("Active") in alice and family.user.username in alice
    assert f"<td>{french_in_context('two-step login', 'On')}</td>" in alice
    assert f"<td>\n        {french('Yes')}" in alice
    marc = connection_row(html, contact)
    assert account_state("No account") in marc
    assert french_date(pending.expires_at) in marc
    assert account_state("Awaiting validation") in connection_row(html, waiting)
    assert account_state("Deactivated") in connection_row(html, locked)
    bruno = connection_row(html, barred)
    assert "Ordonnance du tribunal" in bruno
    assert french("No custody and no access rights") in bruno
    assert f"<td>\n        {french('No')}" in bruno


def test_a_parent_who_signed_up_with_the_code_awaits_validation(secretary_client, family,
                                                                 contact):
    access_code, _code = access_code_issue(guardian=contact, issued_by=None)
    marc = factories.UserFactory(username="mtremblay")
    EmailAddress.objects.filter(user=marc).update(verified=False)
    access_code.claimed_by = marc
    access_code.save()

    html = html_of(secretary_client.get(student_page(family.children[0])))

    row = connection_row(html, contact)
    assert account_state("Awaiting validation") in row and "mtremblay" in row


def test_an_adult_students_guardian_needs_the_students_consent(secretary_client, family):
    child = family.children[1]
    child.date_of_birth = datetime.date(2007, 5, 2)  # 19 on 2026-11-29
    child.save()

    html = html_of(secretary_client.get(student_page(child)))

    row = connection_row(html, family.guardian)
    assert french("Adult student: no consent recorded") in row
    link = family.links[1]
    link.adult_consent_date = datetime.date(2025, 6, 1)
    link.save()
    html = html_of(secretary_client.get(student_page(child)))
    assert french("Adult student: no consent recorded") not in html


def test_the_school_sees_that_failed_logins_lock_a_parent_out(secretary_client, family):
    # The parent calls the school: "the portal refuses my password". The school sees why,
    # and that the user help centre is the one who unlocks it.
    child, user = family.children[0], family.user
    wrong_passwords([user.username], ["203.0.113.7"], lockouts.FREE_FAILURES + 1)

    row = connection_row(html_of(secretary_client.get(student_page(child))), family.guardian)
    assert french("Made to wait after failed logins, until %(time)s").split("%(")[0] in row

    wrong_passwords([user.username], ["203.0.113.7"], lockouts.LOCK_AFTER)
    row = connection_row(html_of(secretary_client.get(student_page(child))), family.guardian)
    assert french("Locked: too many failed logins. The user help centre can unlock it.") in row
    assert french("Made to wait after failed logins, until %(time)s").split("%(")[0] not in row


def test_portal_connections_take_the_same_queries_for_one_or_many_guardians(family):
    child = family.children[0]
    with CaptureQueriesContext(connection) as one:
        assert len(portal_connections(child)) == 1

    for number in range(4):
        user = factories.UserFactory(username=f"tuteur{number}")
        TOTP.activate(user, generate_totp_secret())
        guardian = factories.GuardianFactory(first_name=f"Tuteur{number}")
        factories.StudentGuardianFactory(student=child, guardian=guardian, contact_order=2)
        access_code, _code = access_code_issue(guardian=guardian, issued_by=None)
        if number % 2:
            guardian.user = user
            guardian.save()
        else:  # signed up with the code, not validated yet
            access_code.claimed_by = user
            access_code.save()
    with CaptureQueriesContext(connection) as many:
        connections = portal_connections(child)
        assert [c.two_step for c in connections] == [False, True, True, True, True]

    assert len(many) <= len(one) + 2  # the claimed accounts' emails and devices, once


# --- Safe defaults: a new link grants nothing until the secretary says so --------------------

def checkbox(html: str, name: str) -> str:
    [tag] = re.findall(rf'<input type="checkbox" name="{re.escape(name)}"[^>]*>', html)
    return tag


@pytest.mark.parametrize("page", ["student", "link"])
def test_a_new_links_boxes_grant_no_access(secretary_client, family, page):
    url = (student_page(family.children[0]) if page == "student"
           else reverse("admin:students_studentguardian_add"))
    prefix = "guardian_links-__prefix__-" if page == "student" else ""

    html = html_of(secretary_client.get(url))

    for granting in ("has_custody", "has_access_rights"):
        assert "checked" not in checkbox(html, prefix + granting), granting
    # Portal access only blocks (a court order): ticked, it shows nothing by itself.
    assert "checked" in checkbox(html, prefix + "portal_access")


def test_the_link_form_says_what_each_box_means(secretary_client, family):
    html = html_of(secretary_client.get(reverse("admin:students_studentguardian_add")))
    for meaning in [
        "Portal: with custody, the guardian sees the student once their account is active. "
        "Tick it only when the school's record shows custody.",
        "Portal: a non-custodial parent with the right to see the student's record sees the "
        "student too.",
        "For the school only: shows nothing on the portal.",
        "Portal: untick it to keep the guardian from seeing the student whatever the custody "
        "(a court order, for example) and give the reason. Ticked, it shows nothing alone: "
        "custody or access rights are needed.",
    ]:
        assert french(meaning) in html, meaning
    student_html = html_of(secretary_client.get(student_page(family.children[0])))
    meaning = french("A guardian sees the student on the portal only with custody or access "
                     "rights, portal access on and, for a student aged 18 or more, the "
                     "student's consent. “Lives with the student” and “emergency contact” "
                     "show nothing on the portal. A new link grants nothing until you tick it.")
    assert meaning in student_html


def test_a_step_parent_linked_without_a_second_look_does_not_see_the_child(
        secretary_client, family):
    """The secretary picks the guardian and the relationship, and touches no box."""
    child = family.children[0]
    step_parent = factories.UserFactory(username="beau.parent")
    contact = factories.GuardianFactory(first_name="Paul", last_name="Roy", user=step_parent)
    data = form_data(secretary_client.get(student_page(child)), "student_form")
    empty = {name.replace("__prefix__", "1"): value for name, value in data.items()
             if "__prefix__" in name}
    data.update({**empty, "guardian_links-TOTAL_FORMS": "2",
                 "guardian_links-1-guardian": str(contact.pk),
                 "guardian_links-1-relationship": "stepparent"})

    assert secretary_client.post(student_page(child), data).status_code == 302

    link = child.guardian_links.get(guardian=contact)
    assert (link.has_custody, link.has_access_rights) == (False, False)
    parent = Client()
    parent.force_login(step_parent)
    assert child.first_name not in html_of(parent.get(reverse("students:family"), follow=True))
    row = connection_row(html_of(secretary_client.get(student_page(child))), contact)
    assert f"<td>\n        {french('No')}" in row
    assert french("No custody and no access rights") in row


def test_the_student_page_says_who_will_see_the_child_once_signed_up(secretary_client, family,
                                                                      contact):
    awaiting = factories.UserFactory(username="attente")
    EmailAddress.objects.filter(user=awaiting).update(verified=False)
    waiting = factories.GuardianFactory(first_name="Wanda", last_name="Attente", user=awaiting)
    factories.StudentGuardianFactory(student=family.children[0], guardian=waiting,
                                     contact_order=3)

    html = html_of(secretary_client.get(student_page(family.children[0])))

    assert french("Once they create their account") in connection_row(html, contact)
    assert french("Once they validate their email") in connection_row(html, waiting)


# --- Linking an existing account ----------------------------------------------------------

def test_linking_an_account_shows_the_children_to_the_parent(secretary_client, family,
                                                              contact, charlie):
    data = form_data(secretary_client.get(guardian_page(contact)), "guardian_form")
    data["user"] = str(charlie.pk)

    assert secretary_client.post(guardian_page(contact), data).status_code == 302

    contact.refresh_from_db()
    assert contact.user == charlie
    parent = Client()
    parent.force_login(charlie)
    assert family.children[0].first_name in html_of(parent.get(
        reverse("students:family"), follow=True))
    html = html_of(secretary_client.get(student_page(family.children[0])))
    assert account_state("Active") in connection_row(html, contact)

    # Unlinking: the account no longer sees the child.
    data = form_data(secretary_client.get(guardian_page(contact)), "guardian_form")
    data["user"] = ""
    assert secretary_client.post(guardian_page(contact), data).status_code == 302
    assert family.children[0].first_name not in html_of(parent.get(
        reverse("students:family"), follow=True))
    assert AuditEvent.objects.filter(object_type="students.guardian",
                                     object_id=str(contact.pk)).count() == 2


def test_an_account_of_another_contact_is_not_linked_twice(secretary_client, family, contact):
    data = form_data(secretary_client.get(guardian_page(contact)), "guardian_form")
    data["user"] = str(family.user.pk)  # Alice's account, already her own contact's

    response = secretary_client.post(guardian_page(contact), data)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["user"]
    contact.refresh_from_db()
    assert contact.user is None


def test_a_new_parents_own_contact_can_be_linked_to_the_child(secretary_client, family):
    """A new parent's sign-up made a contact with no student: the school finds and links it."""
    newcomer = factories.UserFactory(username="nouveau")
    own_contact = factories.GuardianFactory(first_name="Nadia", last_name="Nouveau",
                                            user=newcomer)
    response = secretary_client.get(reverse("admin:autocomplete"), {
        "app_label": "students", "model_name": "studentguardian", "field_name": "guardian",
        "term": "Nouveau"})
    assert [row["id"] for row in response.json()["results"]] == [str(own_contact.pk)]

    child = family.children[0]
    data = form_data(secretary_client.get(student_page(child)), "student_form")
    data.update({"guardian_links-TOTAL_FORMS": "2",
                 "guardian_links-1-guardian": str(own_contact.pk),
                 "guardian_links-1-relationship": "stepparent",
                 "guardian_links-1-has_custody": "on", "guardian_links-1-portal_access": "on",
                 "guardian_links-1-contact_order": "2"})
    assert secretary_client.post(student_page(child), data).status_code == 302
    assert child.guardians.filter(pk=own_contact.pk).exists()


# --- One-time access codes -----------------------------------------------------------------

def test_the_guardian_page_offers_a_code_only_without_an_account(secretary_client, family,
                                                                  contact):
    assert issue_page(contact) in secretary_client.get(guardian_page(contact)).content.decode()
    assert issue_page(family.guardian) not in secretary_client.get(
        guardian_page(family.guardian)).content.decode()

    response = secretary_client.get(issue_page(family.guardian), follow=True)
    assert french("This guardian already has a portal account: no access code is "
                  "needed.") in html_of(response)
    assert not AccessCode.objects.exists()


def test_a_printed_letter_shows_the_code_once(secretary_client, secretary, family, contact):
    page = secretary_client.get(issue_page(contact))
    assert page.status_code == 200
    data = form_data(page, "access_code_form")
    assert data["delivery"] == ["letter"]

    response = secretary_client.post(issue_page(contact), data)
    assert response["Location"] == letter_page(contact)  # a reload sends no form again
    response = secretary_client.get(letter_page(contact))

    html = html_of(response)
    assert "no-store" in response["Cache-Control"]
    [code] = CODE.findall(html)
    access_code = AccessCode.objects.get(guardian=contact)
    assert access_code_find(code=code, last_name="TREMBLAY") == access_code
    assert code.replace("-", "") not in access_code.code_hash  # only the hash is stored
    for expected in [settings.BOARD_NAME, "Marc Tremblay", french_date(access_code.expires_at),
                     settings.HELPDESK_EMAIL, settings.HELPDESK_PHONE,
                     "http://testserver" + reverse("account_login"),
                     french("Your Portail Famille access code")]:
        assert expected in html, expected
    # The CSP allows none.
    assert not re.search(r"<script|<style|\sstyle=", response.content.decode())
    [event] = AuditEvent.objects.filter(action=ACCESS_CODE_ISSUE)
    assert (event.actor, event.object_id, event.reason) == (
        secretary, str(access_code.pk), "delivery: letter")
    assert code not in str(event.after)

    # The page that shows the code is the only one: the guardian's page does not.
    guardian_html = html_of(secretary_client.get(guardian_page(contact)))
    assert code not in guardian_html
    assert french_date(access_code.expires_at) in guardian_html

    # The existing-parent sign-up takes it.
    parent = Client()
    response = parent.post(reverse("accounts:signup_code"),
                           {"code": code.lower(), "last_name": "tremblay"})
    assert response["Location"] == reverse("accounts:signup_account")


def test_reloading_the_letter_issues_no_new_code(secretary_client, contact):
    printed = CODE.findall(html_of(issue(secretary_client, contact)))[0]

    reloaded = secretary_client.get(letter_page(contact), follow=True)

    html = html_of(reloaded)
    assert reloaded.redirect_chain == [(guardian_page(contact), 302)]
    assert not CODE.findall(html)
    assert french("The letter is shown only once, and its code stays valid: nothing was "
                  "issued again. If the letter is lost, issue a new code (the lost one then "
                  "stops working).") in html
    assert AccessCode.objects.filter(guardian=contact).count() == 1
    assert access_code_find(code=printed, last_name="Tremblay") is not None


@pytest.mark.parametrize("delivery", ["letter", "email"])
def test_a_form_sent_twice_issues_one_code(secretary_client, contact, delivery):
    """A double click, or Back and send again: the same form's token comes twice."""
    data = {**form_data(secretary_client.get(issue_page(contact)), "access_code_form"),
            "delivery": delivery}

    first = issue(secretary_client, contact, data=data)
    again = issue(secretary_client, contact, data=data)

    [access_code] = AccessCode.objects.filter(guardian=contact)
    assert not AuditEvent.objects.filter(action=ACCESS_CODE_EXPIRE).exists()
    assert OutboundEmail.objects.count() == (delivery == "email")
    if delivery == "letter":
        [printed] = CODE.findall(html_of(first))
        assert access_code_find(code=printed, last_name="Tremblay") == access_code
        assert not CODE.findall(html_of(again))
    else:
        assert french("This form was already sent: the code was issued once.") \
            in html_of(again)


def test_a_new_code_stops_the_older_one(secretary_client, contact):
    first = CODE.search(issue(secretary_client, contact).content.decode())[0]
    second = CODE.search(issue(secretary_client, contact).content.decode())[0]

    assert access_code_find(code=first, last_name="Tremblay") is None
    assert access_code_find(code=second, last_name="Tremblay") is not None
    older = AccessCode.objects.order_by("created_at").first()
    [expired] = AuditEvent.objects.filter(action=ACCESS_CODE_EXPIRE)
    assert expired.object_id == str(older.pk)
    assert expired.after["expires_at"] < expired.before["expires_at"]
    response = Client().post(reverse("accounts:signup_code"),
                             {"code": first, "last_name": "Tremblay"})
    assert response.status_code == 200  # refused, with the form's message


def test_a_used_code_stays_used_after_its_account_is_deleted(secretary_client, family,
                                                             contact):
    code = CODE.search(issue(secretary_client, contact).content.decode())[0]
    user = factories.UserFactory()
    AccessCode.objects.update(claimed_by=user)  # signed up with it
    claimed_guardian_link(user=user)  # then validated the email
    user.delete()  # the account is gone, and with it the code's claimed_by

    assert access_code_find(code=code, last_name="Tremblay") is None
    marc = connection_row(html_of(secretary_client.get(student_page(family.children[0]))),
                          contact)
    assert account_state("No account") in marc
    assert french_date(AccessCode.objects.get().expires_at) not in marc


def test_a_code_sent_by_email_goes_through_the_outbox(secretary_client, family, contact):
    contact.preferred_language = "en"
    contact.save()

    response = issue(secretary_client, contact, "email")

    sent = french("An access code was emailed to %(email)s.") % {"email": contact.email}
    assert sent in html_of(response)
    [email] = OutboundEmail.objects.filter(template="account/access_code")
    assert (email.recipient, email.language) == (contact.email, "en")
    message = render_email(email)
    [code] = CODE.findall(message.body)
    assert access_code_find(code=code, last_name="Tremblay") is not None
    [(html, _mimetype)] = message.alternatives
    child = family.children[0]
    for body in (message.subject, message.body, html):
        assert child.legal_first_name not in body and child.niso not in body
    assert "http://testserver" + reverse("accounts:signup_code") in message.body
    assert AuditEvent.objects.get(action=ACCESS_CODE_ISSUE).reason == "delivery: email"


def test_no_email_no_emailed_code(secretary_client, contact):
    contact.email = ""
    contact.save()

    response = issue(secretary_client, contact, "email")

    assert french("This guardian has no email address: print a letter instead.") \
        in html_of(response)
    assert not AccessCode.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_another_schools_guardian_gets_no_code(client, contact):
    stranger = make_staff("autre.ecole", schools=[factories.SchoolFactory()])
    staff_login(client, stranger)

    assert client.get(issue_page(contact)).status_code == 404
    assert client.post(issue_page(contact), {"delivery": "letter"}).status_code == 404
    assert not AccessCode.objects.exists()


def test_staff_without_the_permission_issue_no_code(client, family, contact):
    reader = make_staff("lecteur", schools=[family.children[0].school], group=None)
    reader.user_permissions.add(Permission.objects.get(codename="view_guardian"))
    staff_login(client, reader)

    assert issue_page(contact) not in client.get(guardian_page(contact)).content.decode()
    assert client.post(issue_page(contact), {"delivery": "letter"}).status_code == 403
    assert not AccessCode.objects.exists()
