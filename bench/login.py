"""Login benchmark: logins per second per core with the portal's hasher (Argon2id at OWASP's
minimum: m = 19 MiB, t = 2, p = 1) against Django's default PBKDF2, in the same run.

    .venv/bin/python bench/login.py [--seconds 10]

Two measures, each on one core (one process, one thread, CPU time), the hashers taking
turns so that a busy machine weighs on all of them alike:
- the hash alone: the hasher's `verify` of the right password, in a loop;
- a whole login: a POST of the login form through Django's test client (allauth, session
  creation, redirect), on a throw-away test database (SQLite in memory, or the
  test_… copy of DATABASE_URL's database when it is set), rate limits off.
Goal (issue 4): Argon2id at least 10 times PBKDF2's rate of password checks. A whole
login also does work that no hasher changes (measured with a hash that costs nothing, the
reference): its ratio is lower, and the hasher's share of each login is printed.
"""

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
GOAL = 10
PASSWORD = "Quatre chevaux dansent sous la pluie"  # noqa: S105 - a benchmark's
ARGON2 = "accounts.hashers.OwaspArgon2PasswordHasher"
PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"
# The reference: the same login with a hash that costs nothing (never for real passwords).
MD5 = "django.contrib.auth.hashers.MD5PasswordHasher"


def setup_django() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portail.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def rates(actions: dict[str, Callable[[], object]], seconds: float) -> dict[str, float]:
    """Each action's runs per CPU-second of this process, the actions taking turns.

    CPU time, not wall time: what a core spends, whatever else the machine runs. Taking
    turns: a slower or busier moment weighs on every action alike.
    """
    spent = dict.fromkeys(actions, 0.0)
    runs = dict.fromkeys(actions, 0)
    for action in actions.values():
        action()  # warm-up
    start = time.process_time()
    while min(runs.values()) < 3 or time.process_time() - start < seconds:
        for name, action in actions.items():
            before = time.process_time()
            action()
            spent[name] += time.process_time() - before
            runs[name] += 1
    return {name: runs[name] / spent[name] for name in actions}


def import_hasher(path: str):
    from django.utils.module_loading import import_string

    return import_string(path)()


def hash_rates(seconds: float) -> dict[str, float]:
    checks = {}
    for path in (ARGON2, PBKDF2):
        hasher = import_hasher(path)
        encoded = hasher.encode(PASSWORD, hasher.salt())
        checks[path] = lambda hasher=hasher, encoded=encoded: hasher.verify(PASSWORD, encoded)
    return rates(checks, seconds)


def login_rates(seconds: float) -> dict[str, float]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from tests.factories import UserFactory

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    users = {}
    for path in (ARGON2, PBKDF2, MD5):
        users[path] = UserFactory(password=make_password(PASSWORD, hasher=import_hasher(path)))

    def log_in(path: str) -> None:
        # Only the measured hasher: its hashes are not upgraded during the run.
        with override_settings(PASSWORD_HASHERS=[path], ACCOUNT_RATE_LIMITS=False):
            response = Client().post(reverse("account_login"),
                                     {"login": users[path].username, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == reverse("home")

    try:
        return rates({path: lambda path=path: log_in(path) for path in users}, seconds)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


NAMES = {ARGON2: "Argon2id (m=19 MiB, t=2, p=1)", PBKDF2: "PBKDF2-SHA256 (Django's default)",
         MD5: "reference: a hash that costs nothing"}


def report(title: str, measured: dict[str, float]) -> float:
    ratio = measured[ARGON2] / measured[PBKDF2]
    print(f"{title}:")
    for path, per_second in measured.items():
        print(f"  {NAMES[path]:<38} {per_second:7.1f}/s ({1000 / per_second:7.1f} ms each)")
    print(f"  Argon2id / PBKDF2: {ratio:.1f}x")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="CPU seconds spent on each of the two measures (default 5)")
    args = parser.parse_args()
    setup_django()
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    print(f"{os.cpu_count()} CPU(s); PBKDF2 at {PBKDF2PasswordHasher.iterations:,} iterations; "
          "one process, one core.")
    hash_ratio = report("password checks, per second per core", hash_rates(args.seconds))
    logins = login_rates(args.seconds)
    report("whole logins (test client), per second per core", logins)
    # What a login costs on top of the reference is the hasher's share of the CPU.
    fixed = 1 / logins[MD5]
    print(f"  hashing's share of a login: Argon2id {1000 * (1 / logins[ARGON2] - fixed):.0f} ms, "
          f"PBKDF2 {1000 * (1 / logins[PBKDF2] - fixed):.0f} ms")
    ok = hash_ratio >= GOAL
    print(f"Goal: password checks with Argon2id {GOAL}x as fast as PBKDF2 or more: "
          f"{'met' if ok else 'NOT met'} ({hash_ratio:.1f}x).")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
