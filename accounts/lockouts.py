"""Failed-login limits that the help desk can see and lift.

We own the counters, in the cache under keys of our own, rather than allauth's: allauth
keeps its counts under hashes of keys only its private modules know, so lifting one lockout
meant rebuilding those keys; django-axes would bring its own tables, middleware and
backend for two counters. The adapter (accounts/adapter.py) asks `login_refused` before
checking a password and calls `failed_login_record` after a wrong one, through allauth's
public `pre_authenticate` and `authentication_failed` hooks.

Two limits, as before: 5 failures in 5 minutes for one login from one IP (an attacker
elsewhere cannot lock a parent out), and 10 failures a minute from one IP whatever the
login (it stops guessing across accounts). Each login's failures sit in one entry, by IP,
so lifting a lockout deletes one entry per login ID and email address, whatever the IP.
Only the per-login limit locks an account: the per-IP one is about a device and ends
within a minute.
"""

import hashlib
import time
from dataclasses import dataclass

from allauth.account.signals import password_reset
from django.core.cache import cache
from django.dispatch import receiver

from accounts.models import User


@dataclass(frozen=True)
class Limit:
    failures: int
    seconds: int


PER_LOGIN_AND_IP = Limit(failures=5, seconds=5 * 60)
PER_IP = Limit(failures=10, seconds=60)
# IPs kept per login: a family's devices fit; a flood of addresses cannot grow the entry.
MAX_IPS_PER_LOGIN = 100


def _login_entry(login: str) -> str:
    # Hashed: no login ID or email address in the cache's key space.
    return "lockouts:login:" + hashlib.sha256(login.lower().encode()).hexdigest()


def _ip_entry(ip: str) -> str:
    return "lockouts:ip:" + ip


def _recent(times: list[float], limit: Limit, now: float) -> list[float]:
    return [moment for moment in times if moment > now - limit.seconds]


def _full(times: list[float], limit: Limit, now: float) -> bool:
    return len(_recent(times, limit, now)) >= limit.failures


def login_refused(*, login: str, ip: str) -> bool:
    """Whether a limit refuses this login from this IP now, whatever the password."""
    now = time.time()
    by_ip = cache.get(_login_entry(login), {}) if login else {}
    return (_full(by_ip.get(ip, []), PER_LOGIN_AND_IP, now)
            or _full(cache.get(_ip_entry(ip), []), PER_IP, now))


def failed_login_record(*, login: str, ip: str) -> None:
    """Count a wrong password (or unknown login) against the login at this IP and the IP."""
    now = time.time()
    if login:
        entry = _login_entry(login)
        by_ip = {address: _recent(times, PER_LOGIN_AND_IP, now)
                 for address, times in cache.get(entry, {}).items()}
        by_ip[ip] = [*by_ip.get(ip, []), now]
        # The most recently failed IPs are kept.
        kept = sorted(by_ip, key=lambda address: max(by_ip[address], default=0))
        by_ip = {address: by_ip[address] for address in kept[-MAX_IPS_PER_LOGIN:]
                 if by_ip[address]}
        cache.set(entry, by_ip, PER_LOGIN_AND_IP.seconds)
    times = [*_recent(cache.get(_ip_entry(ip), []), PER_IP, now), now]
    cache.set(_ip_entry(ip), times, PER_IP.seconds)


def _logins(user: User) -> set[str]:
    """What the account can log in with: its login ID and its email addresses."""
    emails = [address.email for address in user.emailaddress_set.all()]
    return {login.lower() for login in [user.username, user.email, *emails] if login}


def account_locked(user: User) -> bool:
    """Whether the per-login limit now refuses a login to this account from some device."""
    now = time.time()
    return any(_full(times, PER_LOGIN_AND_IP, now)
               for login in _logins(user)
               for times in cache.get(_login_entry(login), {}).values())


def lockout_clear(user: User) -> bool:
    """Forget this account's failed logins from every device; True if it was locked."""
    was_locked = account_locked(user)
    cache.delete_many([_login_entry(login) for login in _logins(user)])
    return was_locked


@receiver(password_reset, dispatch_uid="accounts.lockouts.password_reset")
def password_reset_unlocks(sender, request, user: User, **kwargs) -> None:
    """A new password set from the emailed link proves the mailbox: its failures go."""
    lockout_clear(user)
