"""The outbox in the admin (helpdesk.admin): the help desk sees what left and what
failed, and resends."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import ngettext

from outbox.models import OutboundEmail
from tests import factories
from tests.staff import HELP_DESK, make_staff, staff_login

Status = OutboundEmail.Status

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:outbox_outboundemail_changelist")


def row(recipient: str, status: str, *, attempts: int = 0, error: str = "") -> OutboundEmail:
    return OutboundEmail.objects.create(
        idempotency_key=f"announcement:1:{recipient}", recipient=recipient,
        template="notifications/announcement", language="fr", status=status,
        attempts=attempts, last_error=error,
        context={"school_name": "École secondaire publique Gisèle-Lalonde", "title": "Gala"},
    )


@pytest.fixture
def helpdesk(client):
    """The board's help desk: may view the outbox (and so resend), nothing more."""
    user = make_staff("soutien", board_level=True, group=HELP_DESK)
    staff_login(client, user)
    return user


@pytest.fixture
def rows():
    return {
        "failed": row("failed@example.com", Status.FAILED, attempts=8,
                      error="SMTPRecipientsRefused({'failed@example.com': (451, b'Later')})"),
        "sent": row("sent@example.com", Status.SENT, attempts=1),
        "retry": row("retry@example.com", Status.RETRY, attempts=2, error="timed out"),
    }


def test_changelist_lists_rows_and_filters_by_status(client, helpdesk, rows):
    page = client.get(CHANGELIST).content.decode()
    for address in ["failed@example.com", "sent@example.com", "retry@example.com"]:
        assert address in page

    failed_only = client.get(CHANGELIST, {"status__exact": Status.FAILED}).content.decode()
    assert "failed@example.com" in failed_only
    assert "sent@example.com" not in failed_only
    assert "retry@example.com" not in failed_only


def test_resend_queues_failed_rows_again_and_they_leave(
    client, helpdesk, rows, smtp_settings, smtp_sink, in_process_celery,
    django_capture_on_commit_callbacks,
):
    selected = [rows["failed"].pk, rows["sent"].pk, rows["retry"].pk]
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(CHANGELIST, {"action": "resend", "_selected_action": selected},
                               follow=True)

    assert response.status_code == 200
    with translation.override("fr"):
        notice = ngettext("%(count)d email is queued again.",
                          "%(count)d emails are queued again.", 1) % {"count": 1}
    assert escape(notice) in response.content.decode()
    failed, sent, retry = (OutboundEmail.objects.get(pk=pk) for pk in selected)
    assert (failed.status, failed.attempts, failed.last_error) == (Status.QUEUED, 0, "")
    # Only failed rows are resent: the others keep their state.
    assert (sent.status, sent.attempts) == (Status.SENT, 1)
    assert (retry.status, retry.attempts, retry.last_error) == (Status.RETRY, 2, "timed out")

    for callback in callbacks:  # after the commit: the worker (here in process) sends it
        callback()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.SENT, 1)
    assert [m["To"] for m in smtp_sink.messages] == ["failed@example.com"]


def test_school_staff_do_not_see_the_outbox(client, rows):
    # It names every family's address: board-level staff only.
    staff_login(client, make_staff("secretariat", schools=[factories.SchoolFactory()]))

    assert client.get(CHANGELIST).status_code == 403


def test_outbox_cannot_be_added_to_or_edited(client, rows):
    staff_login(client, make_staff("admin", is_superuser=True, group=None))  # even a superuser
    failed = rows["failed"]
    change = reverse("admin:outbox_outboundemail_change", args=[failed.pk])

    assert client.get(reverse("admin:outbox_outboundemail_add")).status_code == 403
    assert 'name="recipient"' not in client.get(change).content.decode()  # read-only view
    response = client.post(change, {"recipient": "other@example.com", "status": Status.QUEUED})
    assert response.status_code == 403
    failed.refresh_from_db()
    assert (failed.recipient, failed.status) == ("failed@example.com", Status.FAILED)


def test_help_desk_cannot_read_a_password_reset_link(client, helpdesk):
    link = "http://testserver/comptes/password/reset/key/4-cbu9ra-0123456789abcdef/"
    email = OutboundEmail.objects.create(
        idempotency_key="reset:1", recipient="alice@example.com",
        template="account/password_reset_key", language="fr", status=Status.SENT,
        context={"password_reset_url": link},
    )

    page = client.get(reverse("admin:outbox_outboundemail_change", args=[email.pk]))

    assert page.status_code == 200
    assert "cbu9ra-0123456789abcdef" not in page.content.decode()


def test_a_failed_email_whose_content_is_forgotten_is_not_resent(client, helpdesk,
                                                                  django_capture_on_commit_callbacks):
    forgotten = row("old@example.com", Status.FAILED, attempts=8, error="timed out")
    OutboundEmail.objects.filter(pk=forgotten.pk).update(context=None)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(CHANGELIST, {"action": "resend",
                                            "_selected_action": [forgotten.pk]}, follow=True)

    page = response.content.decode()
    with translation.override("fr"):
        warning = ngettext(
            "%(count)d email failed too long ago to be resent: its content is no "
            "longer kept. Ask the parent to make the request again.",
            "%(count)d emails failed too long ago to be resent: their content is no "
            "longer kept. Ask the parents to make the requests again.", 1) % {"count": 1}
    assert escape(warning) in page
    assert "trop longtemps" in page  # in French
    forgotten.refresh_from_db()
    assert (forgotten.status, forgotten.attempts) == (Status.FAILED, 8)
    assert callbacks == []
