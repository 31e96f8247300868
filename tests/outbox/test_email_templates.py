"""Email templates: complete, bilingual, free of personal data; allauth's emails for real."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.conf import settings
from django.core import mail
from django.template.loader import get_template, render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.adapter import outbox_template
from notifications.models import Delivery, EmailBatch, Event
from outbox.delivery import emails_send, render_email
from outbox.models import OutboundEmail
from outbox.services import email_queue

EMAILS_DIR = Path(settings.BASE_DIR) / "templates" / "emails"
NAMES = sorted(str(path.relative_to(EMAILS_DIR)).removesuffix("_subject.txt")
               for path in EMAILS_DIR.rglob("*_subject.txt"))

RESET_URL = "http://testserver/comptes/password/reset/key/4-cbu9ra-abcdef/"
CONFIRM_URL = "http://testserver/comptes/confirm-email/MQ:1tQk:abcdef/"
SIGNUP_URL = "http://testserver/comptes/signup/"
INVITATION_URL = "http://testserver/compte/personnel/invitation/4/cbu9ra-abcdef/"
SCHOOL = "École élémentaire publique Gabrielle-Roy"
TITLE = "Journée des photos"
ANSWER_URL = "http://testserver/absences/arrivee/eyJjIjoxLCJ1IjoyfQ:1tQk:abcdef/"
# Plain values only: what each template gets, besides the board's own.
PLAIN_CONTEXT = {
    "user": {"username": "alice.tremblay"},
    "password_reset_url": RESET_URL,
    "activate_url": CONFIRM_URL,
    "signup_url": SIGNUP_URL,
    "invitation_url": INVITATION_URL,
    "days": 3,
    "school_name": SCHOOL,
    "title": TITLE,
    "timestamp": datetime(2026, 11, 29, 14, 30, tzinfo=UTC),
    "expires_at": datetime(2026, 12, 1, 14, 30, tzinfo=UTC),
    "student_first_name": "Léa",
    "answer_url": ANSWER_URL,
    "day": datetime(2026, 11, 30, 14, 30, tzinfo=UTC),
}
BOARD_CONTEXT = {
    "board_name": settings.BOARD_NAME,
    "board_short_name": settings.BOARD_SHORT_NAME,
    "helpdesk_email": settings.HELPDESK_EMAIL,
    "helpdesk_phone": settings.HELPDESK_PHONE,
    "site_url": settings.SITE_URL,
}
# What the reader needs to find in both bodies.
EXPECTED = {
    "absences/safe_arrival": [ANSWER_URL, SCHOOL, "Léa"],
    "absences/safe_arrival_answered": ["Léa"],
    "account/access_code": [SIGNUP_URL, "2026"],
    "account/account_already_exists": [RESET_URL],
    "account/email_confirmation": [CONFIRM_URL],
    "account/password_changed": ["2026"],
    "account/password_reset_key": [RESET_URL, "alice.tremblay"],
    "account/staff_invitation": [INVITATION_URL, "alice.tremblay"],
    "account/unknown_account": [SIGNUP_URL],
    "mfa/two_step_changed": ["2026"],
    "notifications/announcement": [SCHOOL, TITLE, settings.SITE_URL],
}


def test_templates_are_found():
    assert set(EXPECTED) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_subject_has_a_text_and_an_html_message(name):
    assert (EMAILS_DIR / f"{name}_message.txt").is_file()
    assert (EMAILS_DIR / f"{name}_message.html").is_file()


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", NAMES)
def test_each_email_renders_in_both_languages(name, language):
    context = {**PLAIN_CONTEXT, **BOARD_CONTEXT}
    with translation.override(language):
        subject = render_to_string(f"emails/{name}_subject.txt", context)
        text = render_to_string(f"emails/{name}_message.txt", context)
        html = render_to_string(f"emails/{name}_message.html", context)

    assert subject.strip() and "\n" not in subject.strip()
    assert f'<html lang="{language}">' in html
    for body in (text, html):
        assert settings.BOARD_NAME in body.replace("&#x27;", "'")
        assert settings.HELPDESK_EMAIL in body
        assert "{{" not in body and "{%" not in body
        # A sentence that ends on a time ("8:22 a.m.") must not add its own full stop.
        assert not re.search(r"[^.]\.\.(?!\.)", body)
        for expected in EXPECTED.get(name, []):
            assert expected in body
    # Mail clients drop <style> and block remote content: inline styles, nothing fetched.
    assert not re.search(r"<(style|link|script|img)\b", html)


@pytest.mark.parametrize(("language", "expiry"), [("fr", "jusqu'au 1er décembre 2026"),
                                                   ("en", "until 1 December 2026")])
def test_the_access_code_email_says_until_when_the_code_works(language, expiry):
    context = {**PLAIN_CONTEXT, **BOARD_CONTEXT}
    with translation.override(language):
        text = render_to_string("emails/account/access_code_message.txt", context)
    assert expiry in text


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", NAMES)
def test_no_personal_data_in_any_email(name, language, family):
    child, guardian = family.children[0], family.guardian
    email = email_queue(
        recipient=family.user.email, template=name, language=language,
        context={**PLAIN_CONTEXT, "user": family.user, "student": child, "guardian": guardian,
                 "school_name": child.school.name},
    )
    # The row keeps references, never the student's data.
    assert email.context["student"] == {"__model__": "students.Student", "pk": child.pk}
    assert child.niso not in str(email.context)

    message = render_email(email)
    [(html, _)] = message.alternatives
    niso = child.niso
    personal = [niso, f"{niso[:3]} {niso[3:6]} {niso[6:]}", f"{niso[:3]}-{niso[3:6]}-{niso[6:]}",
                child.street, child.postal_code, guardian.street, guardian.primary_phone[-7:],
                child.date_of_birth.isoformat()]
    for part in (message.subject, message.body, html):
        for value in personal:
            assert value not in part


# Characters HTML would escape, in every value a text part shows.
UNESCAPED = "L'École de l'Est & du \"Nord\" <Ottawa>"
ENTITY = re.compile(r"&(#x?[0-9a-f]+|[a-z]+);", re.IGNORECASE)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", NAMES)
def test_text_parts_are_never_html_escaped(name, language, family):
    """The subject and the text part as the worker renders them: "l'Est de l'Ontario", never
    "l&#x27;Est"; the digest's lines (a child's name, a report card's title) too."""
    child = family.children[0]
    child.preferred_first_name = "Zoë O'Neil"
    child.save(update_fields=["preferred_first_name"])
    batch = EmailBatch.objects.create(user=family.user, timing="digest")
    event = Event.objects.create(key="test", category="report_card", student=child,
                                 detail={"title": UNESCAPED})
    Delivery.objects.create(event=event, user=family.user, timing="digest",
                            due_at=event.occurred_at, batch=batch)
    email = email_queue(recipient=family.user.email, template=name, language=language, context={
        **PLAIN_CONTEXT, "user": family.user, "school_name": UNESCAPED, "title": UNESCAPED,
        "login_id": "o'neil", "batch": batch})

    message = render_email(email)

    for part in (message.subject, message.body):
        assert not ENTITY.search(part), ENTITY.search(part)
    assert settings.BOARD_NAME in message.body
    if name in {"notifications/digest", "notifications/event"}:
        assert "Zoë O'Neil" in message.body and UNESCAPED in message.body
    if name == "notifications/announcement":
        assert UNESCAPED in message.subject + message.body
    # The HTML part still escapes what it shows.
    [(html, _)] = message.alternatives
    assert "<Ottawa>" not in html


# allauth's emails the portal can send with its settings: each needs one of our templates.
ALLAUTH_EMAILS = [
    "account/email/account_already_exists",
    "account/email/email_confirmation",
    "account/email/email_confirmation_signup",
    "account/email/password_reset_key",
    "account/email/unknown_account",
    "account/email/password_reset",
    "account/email/password_changed",
    "account/email/password_set",
    "mfa/email/totp_activated",
    "mfa/email/totp_deactivated",
    "mfa/email/recovery_codes_generated",
    "mfa/email/webauthn_added",
    "mfa/email/webauthn_removed",
    # Not "email_changed" nor "email_deleted": addresses change at the school, and
    # /comptes/email/ leads to the preferences page.
]


@pytest.mark.parametrize("prefix", ALLAUTH_EMAILS)
def test_every_allauth_email_has_an_outbox_template(prefix):
    for part in ["subject.txt", "message.txt", "message.html"]:
        get_template(f"emails/{outbox_template(prefix)}_{part}")


def sent_for(template: str) -> mail.EmailMultiAlternatives:
    """Send the one row queued for this template (locmem backend) and return the email."""
    email = OutboundEmail.objects.get(template=template)
    emails_send([email.pk])
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT, email.last_error
    return mail.outbox[-1]


def html_of(message: mail.EmailMultiAlternatives) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


@pytest.mark.django_db
def test_password_reset_email_for_real(client, family, in_process_celery,
                                       django_capture_on_commit_callbacks):
    user, niso = family.user, family.children[0].niso

    # The page queues the work; the worker (here in process) finds the account and writes.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": user.email.upper()})

    assert response.status_code == 302
    message = sent_for("account/password_reset_key")
    assert [address.lower() for address in message.to] == [user.email]  # as typed
    with translation.override(user.preferred_language):
        assert message.subject == gettext("Reset your Portail Famille password")
    url = re.search(re.escape(settings.SITE_URL) + r"/comptes/password/reset/key/\S+/",
                    message.body)[0]
    for body in (message.body, html_of(message)):
        assert url in body
        assert user.username in body  # the login ID, for parents who forgot it
        assert niso not in body

    # The link works: it leads to the new-password form, then the change is confirmed.
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert 'name="password1"' in response.content.decode()
    new_password = "Un-autre-mot-de-passe-2026"
    response = client.post(response.redirect_chain[-1][0],
                           {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    changed = sent_for("account/password_changed")
    assert changed.to == [user.email]
    assert "2026" in changed.body and niso not in changed.body


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_for_real(client, in_process_celery,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"),
                               {"email": "nobody@example.com"})

    assert response.status_code == 302
    message = sent_for("account/unknown_account")
    assert message.to == ["nobody@example.com"]
    assert settings.SITE_URL + reverse("accounts:signup") in message.body


@pytest.mark.django_db
def test_email_confirmation_for_real(client, family):
    user = family.user
    address = EmailAddress.objects.create(user=user, email="alice.travail@example.com")
    request = RequestFactory().get("/")
    request.user = user
    with allauth_context.request_context(request):
        address.send_confirmation(request, signup=True)

    message = sent_for("account/email_confirmation")
    assert message.to == ["alice.travail@example.com"]
    url = re.search(r"http://testserver/\S+", message.body)[0]
    assert url in html_of(message)
    assert client.get(url).status_code == 200  # the page that confirms the address


@pytest.mark.django_db
def test_account_already_exists_and_two_step_emails_for_real(family):
    user = family.user
    request = RequestFactory().get("/")
    request.user = user
    with allauth_context.request_context(request):
        get_adapter(request).send_account_already_exists_mail(user.email)
        get_adapter(request).send_notification_mail("mfa/email/totp_activated", user)

    exists = sent_for("account/account_already_exists")
    assert "http://testserver/comptes/password/reset/" in exists.body
    two_step = sent_for("mfa/two_step_changed")
    assert two_step.to == [user.email] and "2026" in two_step.body
