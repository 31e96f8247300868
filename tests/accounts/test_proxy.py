"""The per-address login limit counts the real client behind the TLS proxy, and the portal
warns when the proxy count cannot match a production deployment."""

import pytest
import yaml
from django.core import checks
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.pages import french, html_of
from tests.test_deployment import ROOT

PROXY = "172.18.0.1"  # what gunicorn sees: the TLS proxy, for every parent
TOO_MANY = ("Too many failed login attempts. Try again later, or set up a new password: "
            "the emailed link lifts the limit at once.")


def through_proxy(client_address: str, forged: str = "") -> Client:
    """A browser behind the proxy; `forged` is what it wrote in X-Forwarded-For itself."""
    forwarded = f"{forged}, {client_address}" if forged else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


@pytest.mark.django_db
def test_behind_one_proxy_the_limit_counts_the_real_client_whatever_it_forges(
    settings, family, other_family
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for number in range(10):
        through_proxy("198.51.100.7", forged=f"10.0.{number}.1").post(
            reverse("account_login"), {"login": f"parent{number}", "password": "devinette"})

    guesser = through_proxy("198.51.100.7", forged="10.9.9.9")
    response = guesser.post(reverse("account_login"),
                            {"login": "bob.gagnon", "password": factories.PASSWORD})
    assert french(TOO_MANY) in html_of(response)
    # Another parent through the same proxy logs in.
    parent = through_proxy("198.51.100.8")
    parent.post(reverse("account_login"),
                {"login": "alice.tremblay", "password": factories.PASSWORD})
    assert "_auth_user_id" in parent.session


def deploy_warnings() -> set[str]:
    return {message.id for message in checks.run_checks(include_deployment_checks=True)}


def test_check_deploy_warns_when_no_proxy_is_trusted_in_production(settings):
    settings.DEBUG = False
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert "accounts.W001" in deploy_warnings()
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert "accounts.W001" not in deploy_warnings()


def test_compose_trusts_one_proxy_that_alone_reaches_web():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name in ("web", "worker", "pdf", "beat", "migrate"):
        assert compose["services"][name]["environment"]["TRUSTED_PROXY_COUNT"] == \
            "${TRUSTED_PROXY_COUNT:-1}"
    assert all(port.startswith("127.0.0.1:") for port in compose["services"]["web"]["ports"])
