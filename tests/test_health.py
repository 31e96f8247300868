"""/healthz and /readyz: quick, plain answers, whatever the host, scheme or services.

Services down are real: a closed port; hanging is a socket that accepts and never answers.
"""

import socket
import threading
import time

import pytest
from django.db import connection

TIMEOUT_BUDGET = 3.5  # seconds: the checks' own timeouts (2 s at most) plus slack
PRODUCTION = {"ALLOWED_HOSTS": ["portail.example.ca"], "SECURE_SSL_REDIRECT": True}


def closed_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]


@pytest.fixture
def hanging_port():
    """A server that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    accepted, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for each in [*accepted, listener]:
        each.close()


def get(client, path):
    """As Docker's HEALTHCHECK asks: plain HTTP to 127.0.0.1, a host production refuses."""
    started = time.monotonic()
    response = client.get(path, HTTP_HOST="127.0.0.1:8000")
    return response, time.monotonic() - started


def assert_not_ready(response, elapsed):
    assert response.status_code == 503
    assert response.content == b"not ready\n"
    assert elapsed < TIMEOUT_BUDGET


def test_healthz_answers_without_the_database(client, settings):
    # No django_db mark: pytest-django would fail this test if /healthz touched it.
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    response, _ = get(client, "/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"


def test_other_paths_still_check_the_host_and_redirect_to_https(client, settings, db):
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    assert client.get("/comptes/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    redirect = client.get("/comptes/login/", HTTP_HOST="portail.example.ca")
    assert redirect.status_code == 301
    assert redirect["Location"].startswith("https://portail.example.ca/")


@pytest.mark.django_db
def test_readyz_when_the_database_and_redis_answer(client, settings):
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    response, elapsed = get(client, "/readyz")
    assert response.status_code == 200
    assert response.content == b"ready\n"
    assert elapsed < TIMEOUT_BUDGET


@pytest.mark.django_db
def test_readyz_database_down(client, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(connection.settings_dict, "PORT", str(closed_port()))
    assert_not_ready(*get(client, "/readyz"))


@pytest.mark.django_db
def test_readyz_database_hanging(client, monkeypatch, hanging_port, postgresql):
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(connection.settings_dict, "PORT", str(hanging_port))
    assert_not_ready(*get(client, "/readyz"))


@pytest.mark.django_db
def test_readyz_redis_down(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/1"
    assert_not_ready(*get(client, "/readyz"))


@pytest.mark.django_db
def test_readyz_redis_hanging(client, settings, hanging_port):
    settings.REDIS_URL = f"redis://127.0.0.1:{hanging_port}/1"
    assert_not_ready(*get(client, "/readyz"))


@pytest.mark.django_db
def test_readyz_says_nothing_else_and_logs_why(client, settings, caplog):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/1"
    response, _ = get(client, "/readyz")
    assert response.content == b"not ready\n"
    assert "Redis does not answer" in caplog.text
