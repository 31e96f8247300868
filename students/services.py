"""Writes of the Famille tab (calendar links, parent-form answers), and of a parent's way
in: the school's access codes and the sign-up that links an account to its guardian."""

import secrets
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record, snapshot
from accounts.models import User
from accounts.services import security_answer_hash
from outbox.services import email_queue
from portail.celery import queue_after_commit
from portail.text import folded
from students import tasks
from students.models import (
    AccessCode,
    AttendanceRecord,
    CalendarFeed,
    Guardian,
    ParentForm,
    ParentFormResponse,
    Student,
    hash_access_code,
)
from students.signals import attendance_recorded

SIGNUP_PROFILE_KEY = "signup_profile"
SIGNUP_ACCESS_CODE_KEY = "signup_access_code"
# No 0/O or 1/I/L: the code is read from paper and typed on a phone.
ACCESS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACCESS_CODE_LENGTH = 12
ACCESS_CODE_VALIDITY = timedelta(days=30)
ACCESS_CODE_ISSUE = "access_code.issue"
ACCESS_CODE_EXPIRE = "access_code.expire"


@transaction.atomic
def attendance_record_many(records: list[AttendanceRecord]) -> list[AttendanceRecord]:
    """New attendance records as the school takes them, in a batch (a class's attendance,
    the school's software's morning): one insert, and `attendance_recorded` in the same
    transaction (the parents' events). A record already taken refuses the whole batch."""
    try:
        with transaction.atomic():
            created = AttendanceRecord.objects.bulk_create(records)
    except IntegrityError as taken:
        raise ValidationError(
            _("Some of these students already have a record for this day or period: "
              "nothing was recorded."), code="attendance_taken") from taken
    attendance_recorded.send(sender=AttendanceRecord, records=created)
    return created


def calendar_feed_get_or_create(*, user, student: Student) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user, student=student)
    return feed


def calendar_feed_revoke(*, user, student: Student) -> None:
    """The old link stops working at once; a new one can be made."""
    CalendarFeed.objects.filter(user=user, student=student).delete()


def parent_form_answer(*, form: ParentForm, student: Student, user, accepted: bool,
                       signature: str) -> ParentFormResponse | None:
    """Record the answer, once per child: None when the child's form was already answered."""
    try:
        with transaction.atomic():
            return ParentFormResponse.objects.create(
                form=form, student=student, answered_by=user, accepted=accepted,
                signature=signature.strip(),
            )
    except IntegrityError:
        return None


def access_code_issue(*, guardian: Guardian, issued_by: User | None) -> tuple[AccessCode, str]:
    """A new one-time code for a guardian contact; the plain code is returned once."""
    code = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
    now = timezone.now()
    access_code = AccessCode.objects.create(
        guardian=guardian, code_hash=hash_access_code(code), created_by=issued_by,
        created_at=now, expires_at=now + ACCESS_CODE_VALIDITY,
    )
    return access_code, "-".join(code[i:i + 4] for i in range(0, ACCESS_CODE_LENGTH, 4))


class Delivery(models.TextChoices):
    LETTER = "letter", _("Print a letter to hand over")
    EMAIL = "email", _("Email it to the guardian")


@transaction.atomic
def access_code_issue_by_staff(*, guardian: Guardian, issued_by: User, delivery: Delivery,
                               signup_url: str) -> tuple[AccessCode, str]:
    """A new one-time code for a guardian contact; their older unused codes stop working.

    Audited; by email, the outbox sends it after commit. Returns the code and its plain
    text, which is shown (or sent) this once and stored nowhere else.
    """
    delivery = Delivery(delivery)
    now = timezone.now()
    older = AccessCode.objects.select_for_update().usable(now=now).filter(
        guardian=guardian, created_at__lt=now)
    for stale in older:
        before = snapshot(stale)
        stale.expires_at = now
        stale.save(update_fields=["expires_at"])
        audit_record(actor=issued_by, action=ACCESS_CODE_EXPIRE, instance=stale, before=before,
                     reason="replaced by a new code")
    access_code, code = access_code_issue(guardian=guardian, issued_by=issued_by)
    audit_record(actor=issued_by, action=ACCESS_CODE_ISSUE, instance=access_code,
                 reason=f"delivery: {delivery.value}")
    if delivery == Delivery.EMAIL:
        email_queue(
            recipient=guardian.email,
            template="account/access_code",
            context={"code": code, "expires_at": access_code.expires_at,
                     "signup_url": signup_url},
            language=guardian.preferred_language,
            idempotency_key=f"account/access_code:{access_code.pk}",
        )
    return access_code, code


def access_code_find(*, code: str, last_name: str) -> AccessCode | None:
    """The usable code matching the guardian's last name, or None (no hint which is wrong)."""
    access_code = (
        AccessCode.objects.usable().select_related("guardian")
        .filter(code_hash=hash_access_code(code), guardian__user__isnull=True)
        .first()
    )
    if access_code is None or folded(access_code.guardian.last_name) != folded(last_name):
        return None
    return access_code


def access_code_is_usable(code_id: int) -> bool:
    """Still unclaimed and unexpired: checked again at step 2, which may come much later."""
    return AccessCode.objects.usable().filter(pk=code_id).exists()


def signup_queue(*, request: HttpRequest, email: str, password: str, security_question: str,
                 security_answer: str) -> None:
    """Step 2 is valid: what the account keeps is hashed here, the rest is the worker's.

    Known address or new, the page does the same work (two hashes, one task) and the same
    answer (students/signup.py says why).
    """
    names = signup_names(request)
    code_id = request.session.pop(SIGNUP_ACCESS_CODE_KEY, None)
    profile = request.session.pop(SIGNUP_PROFILE_KEY, None)
    kwargs = {
        "email": email, "password_hash": make_password(password),
        "security_question": security_question,
        "security_answer_hash": security_answer_hash(security_answer),
        "names": names, "profile": profile, "code_id": code_id,
        "language": translation.get_language(),
    }
    queue_after_commit(tasks.signup_account_create, **kwargs)


def signup_names(request: HttpRequest) -> dict[str, str]:
    """First and last names for the account, from step 1 or from the school's record."""
    code_id = request.session.get(SIGNUP_ACCESS_CODE_KEY)
    if code_id is not None:
        guardian = Guardian.objects.filter(access_codes__pk=code_id).first()
        if guardian:
            return {"first_name": guardian.first_name, "last_name": guardian.last_name}
    profile = request.session.get(SIGNUP_PROFILE_KEY) or {}
    return {"first_name": profile.get("first_name", ""),
            "last_name": profile.get("last_name", "")}


def claimed_guardian_link(*, user: User) -> None:
    """The email is validated: the guardian contact whose code the account claimed is its."""
    access_code = AccessCode.objects.filter(claimed_by=user, used_at__isnull=True).first()
    if access_code is not None:
        Guardian.objects.filter(pk=access_code.guardian_id, user__isnull=True).update(user=user)
        access_code.used_at = timezone.now()
        access_code.save(update_fields=["used_at"])
