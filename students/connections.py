"""What staff read about parents' portal accounts (the student page's portal connections)."""

from dataclasses import dataclass, field
from datetime import date, datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from accounts import lockouts
from accounts.models import User
from students.models import AccessCode, Student, StudentGuardian
from students.selectors import link_access_off


class AccountState(models.TextChoices):
    NO_ACCOUNT = "none", pgettext_lazy("portal account", "No account")
    AWAITING_VALIDATION = "awaiting", pgettext_lazy("portal account", "Awaiting validation")
    ACTIVE = "active", pgettext_lazy("portal account", "Active")
    DEACTIVATED = "deactivated", pgettext_lazy("portal account", "Deactivated")


@dataclass
class PortalConnection:
    link: StudentGuardian
    state: AccountState
    account: User | None
    two_step: bool = False
    # Why this guardian does not see the student on the portal (empty: they do).
    access_off: list = field(default_factory=list)
    # An unused access code the school issued, still valid until then.
    code_expires_at: datetime | None = None
    # Failed logins: locked (only the help centre unlocks it) or made to wait until then.
    lockout: lockouts.Lockout = field(default_factory=lockouts.Lockout)

    @property
    def sees_student(self) -> bool:
        return self.state is AccountState.ACTIVE and not self.access_off

    @property
    def will_see_student(self) -> bool:
        """Not yet, but once the account is created or its email validated."""
        return (self.state in (AccountState.NO_ACCOUNT, AccountState.AWAITING_VALIDATION)
                and not self.access_off)


def _account_state(user: User | None) -> AccountState:
    if user is None:
        return AccountState.NO_ACCOUNT
    if not user.is_active:
        return AccountState.DEACTIVATED
    if not user.verified_emails:
        return AccountState.AWAITING_VALIDATION
    return AccountState.ACTIVE


def _account_rows(prefix: str) -> list[Prefetch]:
    """An account's validated emails and TOTP devices, read with every account at once."""
    return [
        Prefetch(f"{prefix}emailaddress_set", queryset=EmailAddress.objects.filter(verified=True),
                 to_attr="verified_emails"),
        Prefetch(f"{prefix}authenticator_set",
                 queryset=Authenticator.objects.filter(type=Authenticator.Type.TOTP),
                 to_attr="totp_devices"),
    ]


def portal_connections(student: Student, *, today: date | None = None) -> list[PortalConnection]:
    """Each guardian linked to the student and the state of their portal account.

    A fixed number of queries whatever the number of guardians.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    links = (
        student.guardian_links.select_related("guardian__user")
        .prefetch_related(
            *_account_rows("guardian__user__"),
            Prefetch("guardian__access_codes",
                     queryset=AccessCode.objects.filter(claimed_by__isnull=False,
                                                        used_at__isnull=True)
                     .select_related("claimed_by")
                     .prefetch_related(*_account_rows("claimed_by__")),
                     to_attr="claimed_codes"),
            Prefetch("guardian__access_codes", queryset=AccessCode.objects.usable(now=now),
                     to_attr="usable_codes"),
        )
        .order_by("contact_order", "guardian__last_name")
    )
    connections = []
    for link in links:
        guardian = link.guardian
        account = guardian.user
        claimed = next((code.claimed_by for code in guardian.claimed_codes), None)
        if account is None and claimed is not None:
            # Signed up with the school's code; linked once the email is validated.
            account = claimed
        connection = PortalConnection(
            link=link,
            state=_account_state(account),
            account=account,
            two_step=bool(account and account.totp_devices),
            access_off=link_access_off(link, today),
            code_expires_at=max((code.expires_at for code in guardian.usable_codes),
                                default=None),
        )
        _with_lockout(connection)
        connections.append(connection)
    return connections


def _with_lockout(connection: PortalConnection) -> None:
    """What failed logins did to the account: the parent who calls the school because the
    portal refuses their password learns why, and whom to ask."""
    account = connection.account
    if account is None or not account.is_active:
        return
    connection.lockout = lockouts.account_lockout(account)
