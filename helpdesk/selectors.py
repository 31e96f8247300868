"""What the help desk may read: parents' accounts, found by anything a caller can say."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from accounts import lockouts
from accounts.models import AuditEvent, User
from accounts.scoping import is_board_level
from portail.formats import normalize_phone
from portail.text import searchable

HELPDESK_GROUP = "Centre d'aide"
SEARCH_LIMIT = 50
# Fewer digits than this match too many numbers to be a search.
MIN_PHONE_DIGITS = 4

_NAME_FIELDS = [
    "first_name", "last_name", "username", "email", "emailaddress__email",
    "guardian__first_name", "guardian__last_name", "guardian__email",
    # A child's name: the account's guardian contact, then its students.
    "guardian__students__legal_first_name", "guardian__students__legal_last_name",
    "guardian__students__preferred_first_name", "guardian__students__preferred_last_name",
]


def is_helpdesk_agent(user: User) -> bool:
    """Members of the help-desk group, board-level staff and superusers."""
    if not (user.is_active and user.is_staff):
        return False
    return is_board_level(user) or user.groups.filter(name=HELPDESK_GROUP).exists()


def helpdesk_accounts() -> QuerySet[User]:
    """Parents' accounts only: a staff account is managed by the board's administrators,
    never through the help desk (an email change and a reset link would take it over)."""
    return User.objects.filter(is_staff=False, is_superuser=False).annotate(
        email_validated=Exists(EmailAddress.objects.filter(
            user=OuterRef("pk"), verified=True, primary=True)),
        two_step=Exists(Authenticator.objects.filter(
            user=OuterRef("pk"), type=Authenticator.Type.TOTP)),
    )


def _with_state(user: User) -> User:
    """What the help desk needs to know first about an account, in a few words."""
    user.locked = lockouts.account_locked(user)
    if not user.is_active:
        user.states = [_("Deactivated")]
    elif not user.email_validated:
        user.states = [_("Awaiting validation")]
    else:
        user.states = [_("Active")]
    if user.locked:
        user.states.append(_("Locked: too many failed logins"))
    if user.two_step:
        user.states.append(_("Two-step login on"))
    return user


def _search_condition(term: str) -> Q:
    digits = normalize_phone(term)
    if digits.isdigit() and len(digits) >= MIN_PHONE_DIGITS:
        # A phone number however it was typed; part of it matches too (the last digits).
        return (Q(guardian__primary_phone__contains=digits)
                | Q(guardian__cell_phone__contains=digits)
                | Q(guardian__work_phone__contains=digits))
    condition = Q()
    # Callers spell names with or without accents: "Levesque" finds "Lévesque".
    for word in searchable(term).split():
        word_matches = Q()
        for field in _NAME_FIELDS:
            word_matches |= Q(**{f"{field}__unaccented__icontains": word})
        condition &= word_matches
    return condition


def account_search(term: str) -> list[User]:
    """Accounts matching a login ID, an email, a name, a phone number or a child's name.

    Each word must match something, accents or not: "Lea Tremblay" finds Léa's parents.
    """
    term = " ".join(term.split())
    if not term:
        return []
    accounts = helpdesk_accounts()
    matching = User.objects.filter(_search_condition(term)).values("pk")
    found = (accounts.filter(pk__in=matching).select_related("guardian")
             .prefetch_related("emailaddress_set")
             .order_by("last_name", "first_name", "username")[:SEARCH_LIMIT])
    return [_with_state(user) for user in found]


def helpdesk_account(pk: int) -> User:
    """The account behind a help-desk URL; a staff account is not found (404)."""
    return _with_state(get_object_or_404(helpdesk_accounts().select_related("guardian"), pk=pk))


def account_history(user: User, *, limit: int = 20) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=User._meta.label_lower,
                                          object_id=str(user.pk))
                .select_related("actor").order_by("-at")[:limit])
