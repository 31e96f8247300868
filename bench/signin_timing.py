"""Sign-in timing benchmark (issue 15): can anyone tell from the answer's time whether an
email or login ID has an account?

    createdb -h 127.0.0.1 -U postgres portail_bench_signin
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portail_bench_signin \\
    REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/signin_timing.py

It migrates the database it is given and adds parents of its own (`bench.signin.N`, with
a verified email, created once), then serves the portal as in production: gunicorn with
the Dockerfile's 2 workers × 4 threads, DEBUG off, Redis for the cache, the sessions and
the Celery broker, and one Celery worker that does the queued work meanwhile. For each
form it sends pairs of requests, one with a known input and one with an unknown one, in
a random order within the pair, one request at a time, and times each answer from the
client:

- login with a wrong password, by login ID and by email;
- login-ID recovery (an email);
- password reset, by login ID and by email;
- sign-up step 2 with an already registered email or a new one (step 1 done first,
  untimed).

Each request comes from its own client address (X-Forwarded-For, TRUSTED_PROXY_COUNT=1)
and each form has known accounts of its own, each used at most 3 times, so that no limit
answers instead of the form: the rate limits stay as in production. It prints each form's median
for known and unknown inputs and their difference; goal: under 2 ms. It also checks that
the first pair's answers are byte-identical once the echoed input and the CSRF token are
taken out, and prints the run's own noise: the difference between the medians of known
inputs in even and in odd pairs (known/known). Options: --pairs N (per form, default 150).
"""

import argparse
import http.client
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from family import BASE_DIR, free_port, start_gunicorn  # noqa: E402 - bench/ on the path

GOAL_MS = 2.0
PREFIX = "bench.signin."
DOMAIN = "bench-signin.example"
CSRF_INPUT = re.compile(rb'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">')


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… (a database of its own).")
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL=redis://…/N: without a broker the request would do the "
                 "worker's work.")
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portail.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def prepare(count: int) -> None:
    """`count` validated parents of the benchmark's own, with one hash made once."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from accounts.models import User

    call_command("migrate", "--noinput", verbosity=0)
    password = make_password("Le bon mot de passe du banc d'essai")
    existing = set(User.objects.filter(username__startswith=PREFIX)
                   .values_list("username", flat=True))
    users = User.objects.bulk_create([
        User(username=f"{PREFIX}{number}", email=f"parent{number}@{DOMAIN}",
             password=password, first_name="Banc", last_name=f"Essai{number}")
        for number in range(count) if f"{PREFIX}{number}" not in existing])
    EmailAddress.objects.bulk_create([
        EmailAddress(user=user, email=user.email, primary=True, verified=True)
        for user in users])


def start_worker(log: Path):
    import subprocess

    from family import server_env

    command = [sys.executable, "-m", "celery", "-A", "portail", "worker", "-P", "solo",
               "-c", "1", "-Q", "default", "-l", "warning"]
    with log.open("wb") as output:
        return subprocess.Popen(command, cwd=BASE_DIR, env=server_env(),  # noqa: S603
                                stdout=output, stderr=subprocess.STDOUT)


class Browser:
    """One visitor's cookies and CSRF token, on a keep-alive connection."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.address = 0

    def request(self, method: str, path: str, data: dict | None = None):
        self.address += 1
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   # Its own address each time: the per-address limits stay out of the way.
                   "X-Forwarded-For": f"10.{self.address // 65536 % 256}."
                                      f"{self.address // 256 % 256}.{self.address % 256}"}
        body = None
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": self.token})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = re.match(r"([^=]+)=([^;]*)", header).groups()
            self.cookies[name] = value
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if token:
            self.token = token.group(1).decode()
        return response.status, response.getheader("Location", ""), content, elapsed


class Form:
    """One form: how to send a known or an unknown input, and what a right answer is."""

    def __init__(self, name: str, page: str, field: str, known, unknown, expected: int,
                 extra: dict | None = None, before=None):
        self.name, self.page, self.field = name, page, field
        self.known, self.unknown, self.expected = known, unknown, expected
        self.extra, self.before = extra or {}, before

    def send(self, browser: Browser, value: str):
        if self.before:
            self.before(browser)
        status, location, content, elapsed = browser.request(
            "POST", self.page, {self.field: value, **self.extra})
        if status != self.expected:
            sys.exit(f"{self.name}: {value} answered {status} {location}, "
                     f"not {self.expected}")
        if status == 302:
            content = location.encode()
        return CSRF_INPUT.sub(b"", content).replace(value.encode(), b"INPUT"), elapsed


def signup_step_one(browser: Browser) -> None:
    browser.request("GET", "/compte/creer/nouveau-parent/")
    browser.request("POST", "/compte/creer/nouveau-parent/", {
        "first_name": "Amélie", "last_name": "Banc", "street": "12, rue des Érables",
        "city": "Orléans", "province": "ON", "postal_code": "K1C 2N4",
        "primary_phone": "613 555-0123"})


def forms(run: str) -> list[Form]:
    """Known inputs cycle over the benchmark's parents; unknown ones are new each time."""
    wrong = {"password": "pas le bon mot de passe"}
    passphrase = "Quatre chevaux dansent sous la pluie"  # noqa: S105 - a benchmark's
    signup = {"password1": passphrase, "password2": passphrase,
              "security_question": "first_pet", "security_answer": "Pompon"}
    return [
        Form("login, login ID", "/comptes/login/", "login",
             lambda n: f"{PREFIX}{n}", lambda n: f"inconnu.{run}.{n}", 200, wrong),
        Form("login, email", "/comptes/login/", "login",
             lambda n: f"parent{n}@{DOMAIN}", lambda n: f"inconnu.{run}.{n}@{DOMAIN}", 200,
             wrong),
        Form("login-ID recovery", "/compte/initialisation/identifiant/", "email",
             lambda n: f"parent{n}@{DOMAIN}", lambda n: f"inconnu.{run}.{n}@{DOMAIN}", 200),
        Form("password reset, login ID", "/comptes/password/reset/", "email",
             lambda n: f"{PREFIX}{n}", lambda n: f"inconnu.{run}.{n}", 302),
        Form("password reset, email", "/comptes/password/reset/", "email",
             lambda n: f"parent{n}@{DOMAIN}", lambda n: f"inconnu.{run}.{n}@{DOMAIN}", 302),
        Form("sign-up, step 2", "/compte/creer/connexion/", "email",
             lambda n: f"parent{n}@{DOMAIN}", lambda n: f"nouveau.{run}.{n}@{DOMAIN}", 302,
             signup, before=signup_step_one),
    ]


def measure(port: int, form: Form, pairs: int, accounts: range) -> dict:
    browser = Browser(port)
    browser.request("GET", form.page if not form.before else "/compte/creer/")
    times = {"known": [], "unknown": []}
    identical = None
    for pair in range(pairs + 5):
        number = accounts[pair % len(accounts)]
        order = ["known", "unknown"]
        random.shuffle(order)
        pages = {}
        for kind in order:
            value = (form.known if kind == "known" else form.unknown)(number)
            pages[kind], elapsed = form.send(browser, value)
            if pair >= 5:  # the first ones warm the workers up
                times[kind].append(elapsed * 1000)
        if identical is None:
            identical = pages["known"] == pages["unknown"]
    known, unknown = statistics.median(times["known"]), statistics.median(times["unknown"])
    # The run's own noise: known inputs against known inputs (even pairs against odd).
    noise = (statistics.median(times["known"][::2]) - statistics.median(times["known"][1::2]))
    return {"known": known, "unknown": unknown, "difference": known - unknown,
            "noise": noise, "identical": identical}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=150)
    args = parser.parse_args()

    setup_django()
    # Each known account at most 3 times, by one form only: below every per-account limit
    # (3 login-ID recoveries in 10 minutes, 5 failed logins).
    per_form = (args.pairs + 5) // 3 + 1
    prepare(per_form * len(forms("")))
    os.environ["TRUSTED_PROXY_COUNT"] = "1"  # read by the server's environment
    port = free_port()
    var = BASE_DIR / "var"
    var.mkdir(exist_ok=True)
    worker = start_worker(var / "bench-signin-worker.log")
    server = start_gunicorn(port, var / "bench-signin-gunicorn.log", 4)
    run = f"{int(time.time())}"
    results = {}
    try:
        for index, form in enumerate(forms(run)):
            results[form.name] = measure(port, form, args.pairs,
                                         range(index * per_form, (index + 1) * per_form))
    finally:
        server.terminate()
        server.wait(timeout=30)
        worker.terminate()
        worker.wait(timeout=30)

    load = os.getloadavg()[0]
    print(f"gunicorn 2 workers × 4 threads, DEBUG off, Redis, one Celery worker; "
          f"{args.pairs} pairs per form, one request at a time, known and unknown in a "
          f"random order within each pair; {os.cpu_count()} CPUs, load average {load:.1f}")
    print(f"  {'form':<26} {'known':>9} {'unknown':>9} {'difference':>11} "
          f"{'known/known':>12}  same page")
    failed = False
    for name, result in results.items():
        met = abs(result["difference"]) < GOAL_MS and result["identical"]
        failed |= not met
        print(f"  {name:<26} {result['known']:>7.2f}ms {result['unknown']:>7.2f}ms "
              f"{result['difference']:>+9.2f}ms {result['noise']:>+10.2f}ms  "
              f"{'yes' if result['identical'] else 'NO'}"
              f"{'' if met else '   BEYOND the goal'}")
    print(f"Goal: medians within {GOAL_MS} ms, and the same page.")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
