"""Settings as each deployment gets them: every case loads them in a fresh interpreter.

Settings are read once per process, so each environment needs its own process.
"""

import json
import os
import re
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
# Settings also read ./.env; a developer's .env must not leak into these environments.
NO_DOTENV = "import environ\nenviron.Env.read_env = lambda *args, **kwargs: None\n"
PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "portail.example.ca",
    # Behind the TLS proxy, as docker-compose.yml deploys it (accounts.W001 otherwise).
    "TRUSTED_PROXY_COUNT": "1",
}


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run code under portail.settings with only `env` set, from the repository root."""
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", NO_DOTENV + textwrap.dedent(code)],
        cwd=ROOT,
        env={
            **{name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ},
            "DJANGO_SETTINGS_MODULE": "portail.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=240,  # a hang's safety net: migrating SQLite takes over a minute on a busy CI
    )


def loaded_settings(**env: str) -> dict:
    result = run_python(
        """
        import json
        import django
        django.setup()
        from django.conf import settings
        from portail import celery_app
        print(json.dumps({
            "DEBUG": settings.DEBUG,
            "DATABASE": settings.DATABASES["default"],
            "CACHE": settings.CACHES["default"]["BACKEND"],
            "SESSION_ENGINE": settings.SESSION_ENGINE,
            "EMAIL_BACKEND": settings.EMAIL_BACKEND,
            "EMAIL_HOST": settings.EMAIL_HOST,
            "EMAIL_PORT": settings.EMAIL_PORT,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "LANGUAGE_CODE": settings.LANGUAGE_CODE,
            "TIME_ZONE": settings.TIME_ZONE,
            "celery_eager": celery_app.conf.task_always_eager,
            "celery_broker": celery_app.conf.broker_url,
        }, default=str))
        """,
        **env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_embedded_default_needs_no_service():
    loaded = loaded_settings()

    assert loaded["DEBUG"] is True
    assert loaded["DATABASE"]["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(loaded["DATABASE"]["NAME"]).parent == ROOT / "var"
    assert loaded["CACHE"] == "django.core.cache.backends.locmem.LocMemCache"
    assert loaded["celery_eager"] is True
    assert loaded["celery_broker"] == "memory://"
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert Path(loaded["MEDIA_ROOT"]) == ROOT / "var" / "media"
    assert loaded["LANGUAGE_CODE"] == "fr"
    assert loaded["TIME_ZONE"] == "America/Toronto"


def test_service_urls_switch_database_cache_broker_and_email():
    loaded = loaded_settings(
        DATABASE_URL="postgres://portail:pw@db.example.ca:5432/portail",
        REDIS_URL="redis://cache.example.ca:6379/2",
        EMAIL_URL="smtp://mail.example.ca:2525",
    )

    assert loaded["DATABASE"]["ENGINE"] == "django.db.backends.postgresql"
    assert loaded["DATABASE"]["HOST"] == "db.example.ca"
    assert loaded["DATABASE"]["NAME"] == "portail"
    assert loaded["CACHE"].endswith("FailOpenRedisCache")
    assert loaded["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert loaded["celery_eager"] is False
    assert loaded["celery_broker"] == "redis://cache.example.ca:6379/2"
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (loaded["EMAIL_HOST"], loaded["EMAIL_PORT"]) == ("mail.example.ca", 2525)


@pytest.mark.parametrize(
    "secret_key",
    [None, settings.DEVELOPMENT_SECRET_KEY, "k" * 49],
    ids=["unset", "development-key", "49-characters"],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    env = {"DEBUG": "False"} | ({"SECRET_KEY": secret_key} if secret_key else {})

    result = run_python("import django\ndjango.setup()\n", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_real_secret_key():
    # The counterpart of the test above: DEBUG off itself is not what fails.
    assert loaded_settings(**PRODUCTION)["DEBUG"] is False


def test_deploy_checks_are_clean_in_production():
    result = run_python(
        """
        from django.core.management import execute_from_command_line
        execute_from_command_line(
            ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
        )
        """,
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.fixture(scope="module")
def production_responses(tmp_path_factory) -> dict:
    """Headers and cookies of the login page and of a login, as production sends them."""
    tmp = tmp_path_factory.mktemp("production")
    result = run_python(
        """
        import json
        import django
        django.setup()
        from allauth.account.models import EmailAddress
        from django.core.management import call_command
        from django.test import Client
        from accounts.models import User

        # Production pages need the static files' manifest. The admin's files are most of
        # the time this takes, and the pages below do not use them.
        call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin"])
        call_command("migrate", verbosity=0)
        user = User.objects.create_user(
            username="alice", email="alice@example.ca", password="Un-mot-de-passe-2026"
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

        def seen(response):
            return {
                "status": response.status_code,
                "headers": dict(response.headers),
                "cookies": {
                    name: {"secure": morsel["secure"], "httponly": morsel["httponly"],
                           "samesite": morsel["samesite"]}
                    for name, morsel in response.cookies.items()
                },
            }

        client = Client(HTTP_HOST="portail.example.ca")
        print(json.dumps({
            "http": seen(client.get("/comptes/login/")),
            "login_page": seen(client.get("/comptes/login/", secure=True)),
            "login": seen(client.post(
                "/comptes/login/",
                {"login": "alice", "password": "Un-mot-de-passe-2026"},
                secure=True,
            )),
        }))
        """,
        **PRODUCTION,
        DATABASE_URL=f"sqlite:///{tmp / 'portail.sqlite3'}",
        STATIC_ROOT=str(tmp / "static"),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_plain_http_is_redirected_to_https(production_responses):
    http = production_responses["http"]

    assert http["status"] == 301
    assert http["headers"]["Location"] == "https://portail.example.ca/comptes/login/"


@pytest.mark.parametrize("response", ["login_page", "login"])
def test_production_security_headers(production_responses, response):
    headers = production_responses[response]["headers"]

    hsts = headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
    assert "includeSubDomains" in hsts
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_content_security_policy_allows_only_our_own_origin(production_responses):
    policy = production_responses["login_page"]["headers"]["Content-Security-Policy"]
    directives = {
        name: sources
        for name, *sources in (part.split() for part in policy.split(";") if part.strip())
    }

    assert "'self'" in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in policy
    # No other host, no scheme-wide source: only keywords and inline images.
    assert {s for sources in directives.values() for s in sources} <= {"'self'", "'none'", "data:"}


def test_cookies_are_secure_httponly_and_same_site(production_responses):
    login = production_responses["login"]
    assert login["status"] == 302, "the login failed: no session cookie to check"
    cookies = [
        (name, cookie)
        for response in ("login_page", "login")
        for name, cookie in production_responses[response]["cookies"].items()
    ]

    assert {"csrftoken", "sessionid"} <= {name for name, _ in cookies}
    for name, cookie in cookies:
        assert cookie == {"secure": True, "httponly": True, "samesite": "Lax"}, name
