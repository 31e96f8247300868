"""The failed-login counters hold under concurrent requests: each failure is one atomic
increment in Redis, never a read then a write that another request can overwrite."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache

from accounts import lockouts

ACCOUNT = lockouts.account_key(None, "alice.tremblay")


@pytest.fixture
def redis_cache(settings):
    from tests.conftest import require

    require(bool(settings.REDIS_URL), "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/N")
    assert settings.CACHES["default"]["BACKEND"] == "portail.cache.FailOpenRedisCache"


def test_failures_sent_at_once_from_many_addresses_are_all_counted(redis_cache):
    def fail(number: int) -> None:
        lockouts.failed_login_record(account=ACCOUNT, ip=f"203.0.113.{number % 50}")

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(fail, range(200)))

    assert cache.get(f"lockouts:failures:{ACCOUNT}") == 200
    assert lockouts.login_refused(account=ACCOUNT, ip="198.51.100.1")


def test_the_same_login_typed_differently_is_one_account():
    assert lockouts.account_key(None, " Inconnu ") == lockouts.account_key(None, "inconnu")
