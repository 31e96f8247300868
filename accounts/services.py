"""Accounts: security answers, the login ID sent at activation and on recovery, a member
of staff's invitation."""

import time

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.account.utils import url_str_to_user_pk, user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from accounts import recovery, tasks
from accounts.audit import audit_record, snapshot
from accounts.models import StaffProfile, User
from accounts.roles import BOARD_LEVEL_ROLES
from outbox.services import email_queue
from portail.celery import queue_after_commit
from portail.text import folded

ACTIVATED_LOGIN_ID_KEY = "activated_login_id"
STAFF_INVITE = "staff.invite"
STAFF_INVITATION_ACCEPT = "staff.invitation_accept"
# When this session's member of staff chose their password through the invitation.
INVITATION_PASSWORD_SET_AT_KEY = "staff_invitation_password_set_at"  # noqa: S105 - a key


def security_answer_hash(answer: str) -> str:
    return make_password(folded(answer))


def security_answer_set(*, user: User, question: str, answer: str) -> None:
    user.security_question = question
    user.security_answer = security_answer_hash(answer)
    user.save(update_fields=["security_question", "security_answer"])


def preferred_language_set(*, user: User, language: str) -> None:
    """The language of the account's pages at its next login and of its emails."""
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])


def security_answer_matches(*, user: User, answer: str) -> bool:
    return bool(user.security_answer) and check_password(folded(answer), user.security_answer)


def account_activate(*, request: HttpRequest, email_address: EmailAddress) -> None:
    """The email is validated: email the login ID and show it on the next page."""
    user = email_address.user
    request.session[ACTIVATED_LOGIN_ID_KEY] = user.username
    email_queue(
        recipient=email_address.email,
        template="account/login_id",
        context={"user": user, "login_url": request.build_absolute_uri(reverse("account_login"))},
        language=user.preferred_language,
        idempotency_key=f"account/login_id:activated:{user.pk}",
    )


# Login-ID recovery and password reset: the page queues one task whatever was typed and
# answers at once; the worker looks the account up. Known and unknown inputs then cost the
# request the same: nobody can tell from the answer's time that an account exists.

def login_id_recover_request(*, email: str) -> None:
    queue_after_commit(tasks.login_id_recover, email=email, language=translation.get_language())


def password_reset_request(*, login: str) -> None:
    queue_after_commit(tasks.password_reset_send, login=login, language=translation.get_language())


def staff_invite(*, request: HttpRequest, user: User, role: str, schools) -> User:
    """Create a member of staff's account (no password yet) and email the invitation.

    `user`: the unsaved account with its names, email and language. The role is one of
    accounts.roles' groups; the board's roles are board-level and have no schools.
    """
    with transaction.atomic():
        get_adapter(request).populate_username(request, user)
        user.is_staff = True
        user.set_unusable_password()  # their own, chosen through the invitation
        user.save()
        user.groups.add(Group.objects.get(name=role))
        profile = StaffProfile.objects.create(user=user, board_level=role in BOARD_LEVEL_ROLES)
        profile.schools.set(schools)
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
        audit_record(actor=request.user, action=STAFF_INVITE, instance=user,
                     after={**snapshot(user), "role": role,
                            "schools": sorted(school.pk for school in schools)})
        token = recovery.password_reset_tokens().make_token(user)
        url = reverse("accounts:staff_invitation", args=[user_pk_to_url_str(user), token])
        email_queue(
            recipient=user.email, template="account/staff_invitation",
            context={"user": user, "invitation_url": request.build_absolute_uri(url),
                     "days": settings.PASSWORD_RESET_TIMEOUT // 86400},
            language=user.preferred_language,
        )
    return user


def staff_invitation_user(*, uidb36: str, key: str) -> User | None:
    """The invited member of staff, while the link is valid: it works until a password is
    set (the token signs the password) and for PASSWORD_RESET_TIMEOUT."""
    try:
        pk = url_str_to_user_pk(uidb36)
    except ValueError:
        return None
    user = User.objects.filter(pk=pk, is_staff=True, is_active=True).first()
    if user is None or not recovery.password_reset_tokens().check_token(user, key):
        return None
    return user


def staff_invitation_accept(*, request: HttpRequest, user: User, password: str) -> None:
    """The invited member of staff's password: set, their email validated (the link proved
    it), and noted in the session so that setting up two-step login next does not ask for
    it again (accounts.adapter)."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.filter(user=user, email__iexact=user.email).update(
            verified=True, primary=True)
        audit_record(actor=user, action=STAFF_INVITATION_ACCEPT, instance=user, after={})
    request.session[INVITATION_PASSWORD_SET_AT_KEY] = time.time()
