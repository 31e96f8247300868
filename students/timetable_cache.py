"""The timetable pages' cache: its version, its reads, its retirement and its fragment keys.

The timetable pages read the school calendar and the timetables, which staff change a few
times a year and parents read on every visit: they are cached. Every entry, and every
template fragment (`week_fragment`), is tied to one version, which `retire_after_commit`
(called by students.signals on every write to those tables) deletes once the transaction
commits; the next page starts a new one. So a change shows on the next page wherever the
cache is shared (Redis, as in production; the embedded default's in-process cache serves
its one process). The timeout bounds what a write that bypassed the signals (a
queryset.update) could leave, and the memory the cache keeps.
"""

import threading
import weakref
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import uuid4

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction

SECONDS = 15 * 60
VERSION_KEY = "timetables:version"


def year_key(school_id: int, today: date) -> str:
    """The year under way and its terms at that school (students.selectors.school_timetable)."""
    return f"timetables:year:{school_id}:{today.isoformat()}"


def week_fragment(*, student_id: int, term_id: int | None, language: str, version: str) -> str:
    """What a {% cache %} of a week's grid varies on: the child, the term, the language and
    the version (a retired version retires the fragment)."""
    return f"{student_id}:{term_id}:{language}:{version}"


def read_through(key: str, compute: Callable[[], Any]) -> tuple[Any, str | None]:
    """The value cached under `key` for the current version, else `compute()`; with the
    version it belongs to (None: the cache had none, so nothing is cached this time).

    The version and the entry come in one round trip.
    """
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    stored_version, value = found.get(key, (None, None))
    if version is not None and stored_version == version:
        return value, version
    value = compute()
    if version is None:
        # A version for the next pages; this one caches nothing, so that a Redis that
        # does not answer costs two waits, not one for every read and write.
        cache.add(VERSION_KEY, uuid4().hex, timeout=None)
    else:
        cache.set(key, (version, value), SECONDS)
    return value, version


def retire() -> None:
    """Retire every cached timetable now: the next page read starts a new version."""
    cache.delete(VERSION_KEY)


class Retirement:
    """The callback of one transaction. Django holds it until the transaction ends and
    drops it on commit or rollback, which is what the weak reference below sees."""

    def __init__(self, using: str) -> None:
        self.using = using

    def __call__(self) -> None:
        _pending.by_alias.pop(self.using, None)
        retire()


class _Pending(threading.local):
    """Per thread, like database connections: alias -> the pending callback, weakly."""

    def __init__(self) -> None:
        self.by_alias: dict[str, weakref.ref] = {}


_pending = _Pending()


def retire_after_commit(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Retire the cache once the current transaction commits (at once outside one).

    After the commit: a page rendered in between would cache the old rows under the new
    version. Once per transaction: an import of 2,000 sections retires the cache once, not
    2,000 times. Robust: the change is saved, whatever the cache says.
    """
    pending = _pending.by_alias.get(using)
    if pending is not None and pending() is not None:
        return  # this transaction's callback is registered already
    retirement = Retirement(using)
    _pending.by_alias[using] = weakref.ref(retirement)
    transaction.on_commit(retirement, using=using, robust=True)
