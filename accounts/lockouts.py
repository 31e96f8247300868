"""Failed-login lockouts that the help desk can see and lift.

allauth counts failed logins in the cache under a SHA-256 of our adapter's key,
`<site>:<login>:<ip>` (accounts/adapter.py): from a login alone nobody can find those
entries again, on Redis (no pattern to match a hash) or in local memory (no listing at all).
So each failed login also notes its key under its login, for as long as allauth keeps the
count; lifting a lockout deletes the counts of every key noted for the account's login ID
and email addresses, whatever the IP. Only the per-key limits lock an account: the per-IP
limit is about a device, not an account, and ends within a minute.
"""

import hashlib
import time
from collections.abc import Iterator

from allauth.account.adapter import get_adapter
from allauth.core.internal import ratelimit
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver

from accounts.models import User

APP = "allauth.account"
ACTION = "login_failed"
# Keys noted per login: a family's devices fit; a flood of addresses cannot grow it.
MAX_NOTED_KEYS = 100


def _per_key_rates() -> list[ratelimit.Rate]:
    return [rate for rate in ratelimit.get_rates(app=APP, action=ACTION) if rate.per == "key"]


def _noted_keys_entry(login: str) -> str:
    return "helpdesk:failed-login-keys:" + hashlib.sha256(login.lower().encode()).hexdigest()


def _count_entry(key: str, rate: ratelimit.Rate) -> str:
    # A per-key cache key does not depend on the request.
    return ratelimit.get_cache_key(None, app=APP, action=ACTION, rate=rate, key=key)


@receiver(user_login_failed, dispatch_uid="accounts.lockouts.failed_login_noted")
def failed_login_noted(sender, credentials: dict, request=None, **kwargs) -> None:
    """Note the key allauth counted this failure under (Django sends this after it)."""
    login = credentials.get("email", credentials.get("username", ""))
    rates = _per_key_rates()
    if request is None or not login or not rates:
        return
    key = get_adapter(request)._get_login_attempts_cache_key(request, **credentials)
    entry = _noted_keys_entry(login)
    keys = cache.get(entry, [])
    if key not in keys:
        keys = [key, *keys][:MAX_NOTED_KEYS]
    cache.set(entry, keys, max(rate.duration for rate in rates))


def _logins(user: User) -> set[str]:
    """What the account can log in with: its login ID and its email addresses."""
    emails = [address.email for address in user.emailaddress_set.all()]
    return {login.lower() for login in [user.username, user.email, *emails] if login}


def _noted_keys(user: User) -> Iterator[tuple[str, str]]:
    for login in _logins(user):
        entry = _noted_keys_entry(login)
        for key in cache.get(entry, []):
            yield entry, key


def account_locked(user: User) -> bool:
    """Whether a per-key limit now refuses a login to this account from some device."""
    now = time.time()
    rates = _per_key_rates()
    for _entry, key in _noted_keys(user):
        for rate in rates:
            history = list(cache.get(_count_entry(key, rate), []))
            allowed, _history = ratelimit.apply_rate(history, now, rate, dry_run=True)
            if not allowed:
                return True
    return False


def lockout_clear(user: User) -> bool:
    """Forget this account's failed logins from every device; True if it was locked."""
    was_locked = account_locked(user)
    rates = _per_key_rates()
    entries = set()
    for entry, key in _noted_keys(user):
        entries.add(entry)
        cache.delete_many([_count_entry(key, rate) for rate in rates])
    cache.delete_many(list(entries))
    return was_locked
