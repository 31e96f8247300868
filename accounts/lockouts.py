"""Failed-login limits that the help desk can see and lift.

We own the counters, in the cache under keys of our own, rather than allauth's: allauth
keeps its counts under hashes of keys only its private modules know, so lifting one lockout
meant rebuilding those keys; django-axes would bring its own tables, middleware and
backend for two counters. The adapter (accounts/adapter.py) asks `login_refused` before
checking a password and calls `failed_login_record` after a wrong one, through allauth's
public `pre_authenticate` and `authentication_failed` hooks.

Two limits:
- per account, from every address together (the login ID and the email are the same
  account): after FREE_FAILURES wrong passwords each one makes the next try wait longer,
  then the account is locked for LOCK_SECONDS; the emailed reset link lifts it (the real
  parent proves their mailbox), and so does the help desk. A login that names no account
  is counted the same way under its own text, so nobody learns from the limits whether
  an account exists.
- per client address (the real one: TRUSTED_PROXY_COUNT), whatever the login:
  PER_ADDRESS failures a minute stop guessing across accounts; it ends within the minute
  and locks no account.

Counters are cache increments (atomic in Redis: two requests at once both count), and
waits are stored as the moment they end, so that a clock moved in tests ends them too.
"""

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from allauth.account.signals import password_reset
from allauth.core import ratelimit
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from portail.formats import clock_time

FREE_FAILURES = 5
# The wait after the 5th, 6th... wrong password: 30 s, 1 min, 2 min, 4 min, 8 min.
FIRST_WAIT_SECONDS = 30
LOCK_AFTER = 10
LOCK_SECONDS = 60 * 60
# An account's failures are forgotten a day after the last one (or at a successful login).
ACCOUNT_MEMORY_SECONDS = 24 * 60 * 60
PER_ADDRESS = 10
ADDRESS_WINDOW_SECONDS = 60


def account_key(user: User | None, login: str) -> str:
    """The counters' name for an account, or for a login that names none.

    Hashed: no login ID or email address in the cache's key space.
    """
    if user is not None:
        return f"user:{user.pk}"
    return "login:" + hashlib.sha256(login.strip().lower().encode()).hexdigest()


def _failures(account: str) -> str:
    return f"lockouts:failures:{account}"


def _until(account: str) -> str:
    return f"lockouts:until:{account}"


def _address(ip: str, now: float) -> str:
    # One counter per minute: a new minute starts from zero.
    return f"lockouts:ip:{ip}:{int(now // ADDRESS_WINDOW_SECONDS)}"


def _incr(key: str, seconds: int) -> int:
    """Add one to a counter, atomically, creating it with its lifetime if need be.

    0 when Redis is down (the cache ignores its errors): the limits fail open then.
    """
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, seconds)
        count = 1
    cache.touch(key, seconds)
    return count or 0


def wait_after(failures: int) -> int:
    """Seconds before the next try once an account has this many failures."""
    if failures >= LOCK_AFTER:
        return LOCK_SECONDS
    if failures < FREE_FAILURES:
        return 0
    return FIRST_WAIT_SECONDS * 2 ** (failures - FREE_FAILURES)


def login_refused(*, account: str, ip: str) -> bool:
    """Whether a limit refuses this login now, whatever the password."""
    now = time.time()
    return (cache.get(_until(account), 0) > now
            or (cache.get(_address(ip, now)) or 0) >= PER_ADDRESS)


def failed_login_record(*, account: str, ip: str) -> None:
    """Count a wrong password (or unknown login) against the account and the address."""
    now = time.time()
    wait = wait_after(_incr(_failures(account), ACCOUNT_MEMORY_SECONDS))
    if wait:
        cache.set(_until(account), now + wait, wait)
    _incr(_address(ip, now), ADDRESS_WINDOW_SECONDS)


def login_succeeded(*, account: str) -> None:
    """The right password: the account's count starts again (an address's does not)."""
    cache.delete_many([_failures(account), _until(account)])


def account_waits_until(user: User) -> float | None:
    """When the wait that failed logins put on the account ends (a lock is the longest),
    as a Unix time; None when it may log in now."""
    until = cache.get(_until(account_key(user, "")), 0)
    return until if until > time.time() else None


def account_locked(user: User) -> bool:
    """Whether the account is locked (not merely made to wait a few minutes)."""
    account = account_key(user, "")
    return (cache.get(_failures(account)) or 0) >= LOCK_AFTER \
        and cache.get(_until(account), 0) > time.time()


@dataclass(frozen=True)
class Lockout:
    """What failed logins did to an account, as the school and the help desk are told."""

    locked: bool = False
    # When the wait before the next try ends (not set when locked: only unlocking ends it).
    waits_until: datetime | None = None

    @property
    def state(self) -> str:
        """The account's lockout in a few words, "" when it may log in now."""
        if self.locked:
            return _("Locked: too many failed logins")
        if self.waits_until is not None:
            return _("Made to wait after failed logins, until %(time)s") % {
                "time": clock_time(timezone.localtime(self.waits_until))}
        return ""


def account_lockout(user: User) -> Lockout:
    """Whether the account is locked, or else until when it is made to wait (the waits
    before the lock: 30 s to 8 min after the 5th to 9th wrong password)."""
    if account_locked(user):
        return Lockout(locked=True)
    until = account_waits_until(user)
    return Lockout(waits_until=None if until is None else datetime.fromtimestamp(until, tz=UTC))


def _allauth_limits(user: User) -> list[tuple[str, str]]:
    """allauth's per-key limits that name this account: (action, key) as allauth counts them.

    Reset requests count under what the parent typed (the email or the login ID), login-ID
    recovery and the validation email under the email.
    """
    limits = [("reset_password", user.username.lower())]
    if user.email:
        email = user.email.lower()
        limits += [("reset_password", email), ("recover_login_id", email), ("confirm_email", email)]
    return limits


def lockout_clear(user: User, *, request: HttpRequest) -> bool:
    """Forget this account's failed logins from every address, and allauth's limits on its
    reset, recovery and validation emails; True if it was locked or made to wait."""
    was_locked = account_waits_until(user) is not None
    login_succeeded(account=account_key(user, ""))
    for action, key in _allauth_limits(user):
        ratelimit.clear(request, action=action, key=key)
    return was_locked


@receiver(password_reset, dispatch_uid="accounts.lockouts.password_reset")
def password_reset_unlocks(sender, request, user: User, **kwargs) -> None:
    """A new password set from the emailed link proves the mailbox: the lock goes."""
    lockout_clear(user, request=request)
