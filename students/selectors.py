"""Who may see which student: the one place that answers it for every parent page and file."""

from datetime import date
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from students.models import Student, StudentGuardian

ADULT_AGE = 18


def adult_birthdate_cutoff(today: date) -> date:
    """Students born on or before this day are adults (18 or more) on `today`."""
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # 29 February: a leap-day child comes of age on 28 February.
        return today.replace(year=today.year - ADULT_AGE, day=28)


def visible_links(user, *, today: date | None = None) -> QuerySet[StudentGuardian]:
    """The user's guardian links that give portal access today.

    Access needs an active link with portal access on, custody or access rights, and,
    once the student is an adult, the student's recorded consent.
    """
    if not user.is_authenticated:
        return StudentGuardian.objects.none()
    today = today or timezone.localdate()
    return StudentGuardian.objects.filter(
        Q(has_custody=True) | Q(has_access_rights=True),
        Q(student__date_of_birth__gt=adult_birthdate_cutoff(today))
        | Q(adult_consent_date__isnull=False),
        guardian__user=user,
        portal_access=True,
    ).exclude(student__status=Student.Status.WITHDRAWN)


def students_visible_to(user, *, today: date | None = None) -> QuerySet[Student]:
    return Student.objects.filter(
        pk__in=visible_links(user, today=today).values("student_id")
    ).select_related("school")


def student_for_parent(user, public_id: UUID | str) -> Student:
    """The student behind a URL, or 404 when this user may not see it (never 403)."""
    try:
        return students_visible_to(user).get(public_id=public_id)
    except (Student.DoesNotExist, ValueError) as missing:
        raise Http404 from missing
