"""What the help desk may read: parents' accounts, found by anything a caller can say."""

import re
from enum import StrEnum

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from accounts import lockouts
from accounts.models import AuditEvent, User
from portail.formats import normalize_phone
from portail.text import searchable
from students.models import AccessCode, Guardian, Student, hash_access_code

SEARCH_LIMIT = 50
# Fewer digits than this match too many numbers to be a search.
MIN_PHONE_DIGITS = 4

# The guardian contacts an account stands for: its own, and the one whose access code it
# claimed at sign-up (linked once its email is validated: until then, a pending sign-up).
GUARDIANS = ("guardian__", "access_code__guardian__")
PHONE_FIELDS = ("primary_phone", "cell_phone", "work_phone")
_NAME_FIELDS = [
    "first_name", "last_name", "username", "email", "emailaddress__email",
    "guardian__first_name", "guardian__last_name", "guardian__email",
    "access_code__guardian__first_name", "access_code__guardian__last_name",
    # A child's name, through either contact.
    *(f"{guardian}students__{name}" for guardian in GUARDIANS
      for name in ("legal_first_name", "legal_last_name", "preferred_first_name",
                   "preferred_last_name")),
]
# An access code as printed on the letter: 12 letters and digits, hyphens or not.
ACCESS_CODE_TERM = re.compile(r"[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}")


def helpdesk_accounts() -> QuerySet[User]:
    """Parents' accounts only: a staff account is managed by the board's administrators,
    never through the help desk (an email change and a reset link would take it over)."""
    return User.objects.filter(is_staff=False, is_superuser=False).annotate(
        email_validated=Exists(EmailAddress.objects.filter(
            user=OuterRef("pk"), verified=True, primary=True)),
        two_step=Exists(Authenticator.objects.filter(
            user=OuterRef("pk"), type=Authenticator.Type.TOTP)),
        signed_up_with_code=Exists(AccessCode.objects.filter(
            claimed_by=OuterRef("pk"), used_at__isnull=True)),
    )


def _with_state(user: User) -> User:
    """What the help desk needs to know first about an account, in a few words."""
    lockout = lockouts.account_lockout(user)
    user.locked = lockout.locked
    user.waiting = lockout.waits_until is not None
    if not user.is_active:
        user.states = [_("Deactivated")]
    elif not user.email_validated and user.signed_up_with_code:
        user.states = [_("Awaiting validation: signed up with a school's access code")]
    elif not user.email_validated:
        user.states = [_("Awaiting validation")]
    else:
        user.states = [_("Active")]
    if lockout.state:
        user.states.append(lockout.state)
    if user.two_step:
        user.states.append(_("Two-step login on"))
    return user


def _phone_digits(term: str) -> str:
    """The term as a phone number's digits, or "" when it is not one."""
    digits = normalize_phone(term)
    return digits if digits.isdigit() and len(digits) >= MIN_PHONE_DIGITS else ""


def _code_hash(term: str) -> str:
    return hash_access_code(term) if ACCESS_CODE_TERM.fullmatch(term) else ""


def _word_condition(word: str, fields: list[str]) -> Q:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__unaccented__icontains": word})
    return condition


def _search_condition(term: str) -> Q:
    digits = _phone_digits(term)
    if digits:
        # A phone number however it was typed; part of it matches too (the last digits).
        condition = Q()
        for guardian in GUARDIANS:
            for field in PHONE_FIELDS:
                condition |= Q(**{f"{guardian}{field}__contains": digits})
        return condition
    # Callers spell names with or without accents: "Levesque" finds "Lévesque".
    condition = Q()
    for word in searchable(term).split():
        condition &= _word_condition(word, _NAME_FIELDS)
    code_hash = _code_hash(term)
    if code_hash:
        # The code on the parent's letter: whoever signed up with it (or is yet to).
        condition |= Q(access_code__code_hash=code_hash)
    return condition


def _pending_guardian(user: User) -> Guardian | None:
    """The school's contact whose code this account claimed, until the email is validated."""
    code = getattr(user, "access_code", None)
    if code is None or code.used_at is not None or code.guardian.user_id is not None:
        return None
    return code.guardian


def _matched(user: User, term: str) -> list[str]:
    """What the term matched on this account, in the results' words."""
    if _phone_digits(term):
        return [str(_("phone"))]  # a number is searched among phone numbers only
    own, pending = getattr(user, "guardian", None), _pending_guardian(user)
    contacts = [contact for contact in (own, pending) if contact]
    children = [child for contact in contacts for child in contact.students.all()]
    values = {
        _("login ID"): [user.username],
        _("email"): [user.email, *(address.email for address in user.emailaddress_set.all()),
                     *(contact.email for contact in contacts)],
        _("name"): [user.first_name, user.last_name,
                    *((own.first_name, own.last_name) if own else ())],
        # A pending sign-up's contact: the name the school knows the parent by.
        _("name at the school"): [pending.first_name, pending.last_name] if pending else [],
        _("child's name"): [name for child in children for name in (
            child.legal_first_name, child.legal_last_name, child.preferred_first_name,
            child.preferred_last_name)],
    }
    words = searchable(term).casefold().split()
    matched = [str(label) for label, texts in values.items()
               if any(word in searchable(text).casefold() for word in words for text in texts)]
    code = getattr(user, "access_code", None)
    if code is not None and code.code_hash == _code_hash(term):
        matched.append(str(_("access code")))
    return matched


def account_search(term: str) -> list[User]:
    """Accounts matching a login ID, an email, a name, a phone number, a child's name or
    the access code a parent signed up with, each with `matched`: what the term matched.

    Each word must match something, accents or not: "Lea Tremblay" finds Léa's parents.
    A pending sign-up (a school's code claimed, the email not yet validated) is found by
    its contact at the school too: the children's names, the phone numbers.
    """
    term = " ".join(term.split())
    if not term:
        return []
    matching = User.objects.filter(_search_condition(term)).values("pk")
    children = Student.objects.only("legal_first_name", "legal_last_name",
                                    "preferred_first_name", "preferred_last_name")
    found = (helpdesk_accounts().filter(pk__in=matching)
             .select_related("guardian", "access_code__guardian")
             .prefetch_related("emailaddress_set",
                               *(Prefetch(f"{guardian}students", queryset=children)
                                 for guardian in GUARDIANS))
             .order_by("last_name", "first_name", "username")[:SEARCH_LIMIT])
    results = []
    for user in found:
        _with_state(user)
        user.matched = _matched(user, term)
        results.append(user)
    return results


class AccessCodeState(StrEnum):
    USED = "used"
    EXPIRED = "expired"
    # Not used, not expired: the parent can still sign up with it.
    VALID = "valid"


def access_code_searched(term: str) -> AccessCode | None:
    """The access code the term is, with its guardian and its `state` (AccessCodeState): a
    parent whose letter's code "does not work" calls before any account exists (or after
    the code expired)."""
    code_hash = _code_hash(" ".join(term.split()))
    if not code_hash:
        return None
    code = (AccessCode.objects.select_related("guardian").filter(code_hash=code_hash)
            .annotate(usable=Exists(AccessCode.objects.usable().filter(pk=OuterRef("pk"))))
            .first())
    if code is not None:
        code.state = (AccessCodeState.VALID if code.usable
                      else AccessCodeState.USED if code.used_at or code.claimed_by_id
                      else AccessCodeState.EXPIRED)
    return code


def helpdesk_account(pk: int) -> User:
    """The account behind a help-desk URL; a staff account is not found (404)."""
    return _with_state(get_object_or_404(helpdesk_accounts().select_related("guardian"), pk=pk))


def account_history(user: User, *, limit: int = 20) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=User._meta.label_lower,
                                          object_id=str(user.pk))
                .select_related("actor").order_by("-at")[:limit])
