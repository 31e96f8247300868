"""The help desk's writes: each one recorded in the audit trail, with who did it.

An agent never sees or sets a password: a forgotten one gets a reset link by email.
"""

from allauth.account.forms import ResetPasswordForm
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts import lockouts
from accounts.audit import audit_record, snapshot
from accounts.models import User
from accounts.services import security_answer_matches
from outbox.services import email_queue
from students.models import CalendarFeed, Guardian, ParentFormResponse


class Audit(models.TextChoices):
    """What each help-desk write records in the audit trail, and what the history calls it."""

    VALIDATION_EMAIL = "helpdesk_validation_email", _("Validation email sent again")
    PASSWORD_RESET = "helpdesk_password_reset", _("Password reset link sent")
    UNLOCK = "helpdesk_unlock", _("Account unlocked")
    DEACTIVATE = "helpdesk_deactivate", _("Account deactivated")
    REACTIVATE = "helpdesk_reactivate", _("Account reactivated")
    EMAIL_CHANGE = "helpdesk_email_change", _("Main email changed")
    ADDRESS_CHANGE = "helpdesk_address_change", _("Postal address changed")
    SECURITY_CHECK = "helpdesk_security_check", _("Security answer checked")
    SECURITY_CHECK_REFUSED = ("helpdesk_security_check_refused",
                              _("Security answer check refused (limit)"))
    MERGE = "helpdesk_merge", _("Accounts merged")


# An email sent again from the outbox's admin (helpdesk.admin), not from an account's page.
EMAIL_RESEND = "email.resend"


# The rate limit's name in settings.ACCOUNT_RATE_LIMITS (not an audit name): a caller
# guessing the answer of someone else's account gets five tries an hour, whoever the agent.
SECURITY_CHECK_ACTION = "helpdesk_security_answer"


def _address_changed_email(user: User, *, recipient: str, change: str) -> None:
    """Tell the account's (old) address; no personal data, only what changed."""
    if recipient:
        email_queue(recipient=recipient, template="account/address_changed",
                    context={"change": change}, language=user.preferred_language)


@transaction.atomic
def validation_email_resend(*, request: HttpRequest, actor: User, user: User) -> bool:
    """Send a new "Valider votre compte" email; False when the address is already valid."""
    address = (EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
               if user.email else None)
    if address is None or address.verified:
        return False
    # Not allauth's flow: its per-address cooldown would silently drop what the caller,
    # on the phone, is waiting for.
    address.send_confirmation(request)
    audit_record(actor=actor, action=Audit.VALIDATION_EMAIL, instance=user,
                 after={"email": address.email})
    return True


@transaction.atomic
def password_reset_send(*, request: HttpRequest, actor: User, user: User) -> bool:
    """Email a one-time reset link to the account's address; False without one."""
    if not (user.email and user.is_active):
        return False
    # allauth's own reset form, as the parent's "Réinitialiser votre mot de passe" uses it.
    form = ResetPasswordForm(data={"email": user.email})
    if not form.is_valid():
        return False
    form.save(request)
    audit_record(actor=actor, action=Audit.PASSWORD_RESET, instance=user,
                 after={"email": user.email})
    return True


@transaction.atomic
def account_unlock(*, request: HttpRequest, actor: User, user: User) -> bool:
    """Lift every limit on the account's sign-in and recovery, from every device; True if
    the account was locked or made to wait."""
    was_locked = lockouts.lockout_clear(user, request=request)
    audit_record(actor=actor, action=Audit.UNLOCK, instance=user,
                 after={"was_locked": was_locked})
    return was_locked


@transaction.atomic
def account_active_set(*, actor: User, user: User, active: bool, reason: str = "") -> bool:
    """Deactivate (the account can no longer log in) or reactivate; False if unchanged."""
    if user.is_active == active:
        return False
    before = snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(actor=actor, action=Audit.REACTIVATE if active else Audit.DEACTIVATE,
                 instance=user, before=before, reason=reason)
    return True


@transaction.atomic
def primary_email_change(*, actor: User, user: User, email: str, reason: str,
                         document: str) -> None:
    """The parent showed a document at the school: the new address replaces the old one.

    It is verified (seen in person); the old address can no longer log in or receive
    reset links, and is told of the change.
    """
    old_email = user.email
    before = snapshot(user)
    user.email = email
    user.save(update_fields=["email"])
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).delete()
    address, _created = EmailAddress.objects.get_or_create(
        user=user, email__iexact=email, defaults={"email": email})
    address.email, address.verified, address.primary = email, True, True
    address.save()
    audit_record(actor=actor, action=Audit.EMAIL_CHANGE, instance=user, before=before,
                 after={**snapshot(user), "document_seen": document}, reason=reason)
    guardian = Guardian.objects.filter(user=user).first()
    if guardian is not None and guardian.email.lower() in ("", old_email.lower()):
        guardian_before = snapshot(guardian)
        guardian.email = email
        guardian.save(update_fields=["email"])
        audit_record(actor=actor, action=Audit.EMAIL_CHANGE, instance=guardian,
                     before=guardian_before,
                     after={**snapshot(guardian), "document_seen": document}, reason=reason)
    if old_email.lower() != email.lower():
        _address_changed_email(user, recipient=old_email, change="email")


@transaction.atomic
def postal_address_change(*, actor: User, guardian: Guardian, street: str, city: str,
                          province: str, postal_code: str, reason: str, document: str) -> None:
    """The guardian contact's new address, shown with a document at the school."""
    before = snapshot(guardian)
    guardian.street, guardian.city = street, city
    guardian.province, guardian.postal_code = province, postal_code
    guardian.full_clean()
    guardian.save(update_fields=["street", "city", "province", "postal_code"])
    audit_record(actor=actor, action=Audit.ADDRESS_CHANGE, instance=guardian,
                 before=before, after={**snapshot(guardian), "document_seen": document},
                 reason=reason)
    if guardian.user is not None:
        _address_changed_email(guardian.user, recipient=guardian.user.email, change="postal")


def security_answer_check(*, request: HttpRequest, actor: User, user: User,
                          answer: str) -> bool | None:
    """Whether the caller's answer matches; None when this account had too many checks."""
    allowed = ratelimit.consume(request, action=SECURITY_CHECK_ACTION, key=f"user:{user.pk}")
    if not allowed:
        audit_record(actor=actor, action=Audit.SECURITY_CHECK_REFUSED, instance=user,
                     after={})
        return None
    matches = security_answer_matches(user=user, answer=answer)
    audit_record(actor=actor, action=Audit.SECURITY_CHECK, instance=user,
                 after={"matches": matches})
    return matches


class MergeRefused(Exception):
    pass


@transaction.atomic
def accounts_merge(*, actor: User, kept: User, merged: User, reason: str) -> int:
    """Two accounts of one person become one: `merged`'s children, form answers and
    calendar links go to `kept`, and `merged` is deactivated. Returns the links moved.

    When both accounts have a guardian contact, a child already linked to `kept`'s stays
    as it is on `merged`'s contact, for the school to tidy.
    """
    if kept.pk == merged.pk:
        raise MergeRefused("same account")
    if any(user.is_staff or user.is_superuser for user in (kept, merged)):
        raise MergeRefused("staff account")
    kept_guardian = Guardian.objects.filter(user=kept).first()
    merged_guardian = Guardian.objects.filter(user=merged).first()
    moved = 0
    if merged_guardian is not None and kept_guardian is None:
        before = snapshot(merged_guardian)
        merged_guardian.user = kept
        merged_guardian.save(update_fields=["user"])
        audit_record(actor=actor, action=Audit.MERGE, instance=merged_guardian,
                     before=before, reason=reason)
        moved = merged_guardian.student_links.count()
    elif merged_guardian is not None:
        already = kept_guardian.student_links.values("student_id")
        for link in merged_guardian.student_links.exclude(student_id__in=already):
            before = snapshot(link)
            link.guardian = kept_guardian
            link.save(update_fields=["guardian"])
            audit_record(actor=actor, action=Audit.MERGE, instance=link, before=before,
                         reason=reason)
            moved += 1
    ParentFormResponse.objects.filter(answered_by=merged).update(answered_by=kept)
    kept_feeds = CalendarFeed.objects.filter(user=kept).values("student_id")
    CalendarFeed.objects.filter(user=merged, student_id__in=kept_feeds).delete()
    CalendarFeed.objects.filter(user=merged).update(user=kept)
    before = snapshot(merged)
    merged.is_active = False
    merged.save(update_fields=["is_active"])
    audit_record(actor=actor, action=Audit.MERGE, instance=merged, before=before,
                 after={**snapshot(merged), "merged_into": kept.pk}, reason=reason)
    audit_record(actor=actor, action=Audit.MERGE, instance=kept,
                 after={"merged_from": merged.pk, "links_moved": moved}, reason=reason)
    return moved
