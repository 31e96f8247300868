"""Ontario's privacy rules that change who may see a student.

- At 18 a student controls their record: a guardian's portal access ends unless the
  student's consent is recorded. `students.selectors` states the rule and already hides
  such a student; `adult_access_end` (a daily task) turns the access off for the record, tells
  the staff why, and tells the guardian.
- A withdrawn student's guardians keep no account without another active child.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import audit_record, snapshot
from accounts.models import User
from outbox.services import email_queue
from students.models import Student, StudentGuardian
from students.selectors import adult_without_consent_condition

ACTIVE_STATUSES = [Student.Status.ACTIVE, Student.Status.PREREGISTERED]


def adult_access_reason() -> str:
    """Stored in the board's language: staff read it on the link."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Adult student: consent required")


def adult_access_end(*, today: date | None = None) -> int:
    """Turn off guardians' access to students of 18 or more without a recorded consent.

    Idempotent: a link already off is not touched again, so a missed day is caught up
    by the next run and a second run the same day does nothing. Returns the links turned
    off.
    """
    today = today or timezone.localdate()
    links = (StudentGuardian.objects
             .filter(adult_without_consent_condition(today), portal_access=True)
             .select_related("student", "guardian__user"))
    reason = adult_access_reason()
    ended = 0
    for link in links:
        with transaction.atomic():
            # Conditional: a concurrent run, or staff recording the consent meanwhile, wins.
            updated = StudentGuardian.objects.filter(
                adult_without_consent_condition(today), pk=link.pk, portal_access=True,
            ).update(portal_access=False, portal_access_off_reason=reason)
            if not updated:
                continue
            before = snapshot(link)
            link.portal_access, link.portal_access_off_reason = False, reason
            audit_record(actor=None, action="adult_access_ended", instance=link, before=before,
                         reason=reason)
            user = link.guardian.user
            if user is not None and user.is_active and user.email:
                email_queue(
                    recipient=user.email, template="students/adult_access_ended",
                    # The first name only: no other personal data in an email.
                    context={"student_first_name": link.student.first_name},
                    language=user.preferred_language,
                    idempotency_key=f"students/adult_access_ended:{link.pk}:{today}",
                )
            ended += 1
    return ended


@transaction.atomic
def student_withdraw(*, student: Student, date: date, reason: str, actor) -> list[User]:
    """The student leaves the board: status withdrawn, the open enrolment closed, and
    the guardian accounts with no other active child deactivated. Returns those accounts.

    Staff accounts are never deactivated here: a parent who also works for the board
    keeps their staff access.
    """
    open_enrolments = list(student.enrolments.filter(withdrawal_date__isnull=True))
    if any(enrolment.entry_date > date for enrolment in open_enrolments):
        raise ValidationError(_("The withdrawal date cannot come before the entry date."),
                              code="withdrawal_before_entry")
    before = snapshot(student)
    student.status = Student.Status.WITHDRAWN
    student.save(update_fields=["status"])
    audit_record(actor=actor, action="student_withdrawn", instance=student, before=before,
                 reason=reason)
    for enrolment in open_enrolments:
        enrolment_before = snapshot(enrolment)
        enrolment.withdrawal_date, enrolment.withdrawal_reason = date, reason
        enrolment.save(update_fields=["withdrawal_date", "withdrawal_reason"])
        audit_record(actor=actor, action="student_withdrawn", instance=enrolment,
                     before=enrolment_before, reason=reason)
    return _guardian_accounts_close(student=student, actor=actor, reason=reason)


def _guardian_accounts_close(*, student: Student, actor, reason: str) -> list[User]:
    other_active_children = (StudentGuardian.objects
                             .filter(student__status__in=ACTIVE_STATUSES)
                             .exclude(student=student))
    guardians = (student.guardians
                 .filter(user__is_active=True, user__is_staff=False, user__is_superuser=False)
                 .exclude(pk__in=other_active_children.values("guardian_id"))
                 .select_related("user"))
    closed = []
    for guardian in guardians:
        user = guardian.user
        before = snapshot(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(actor=actor, action="guardian_account_closed", instance=user,
                     before=before, reason=reason)
        closed.append(user)
    return closed
