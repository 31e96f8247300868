"""Real parts shared by the email, import and report-card tests: an SMTP sink, Redis, Celery
workers (thread or process). A plugin of tests/conftest.py.

Redis, PostgreSQL (for the worker process) and redis-server (for the fault tests) are
required through tests.conftest.require: a skip on a laptop, a failure in CI.
"""

import asyncio
import email
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection

from portail.celery import app
from tests.conftest import require

# aiosmtpd logs every SMTP command at INFO.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """The mail server the portal talks to: keeps what it accepts, or refuses, or stalls.

    Tests change `refuse`, `refuse_at`, `refuse_to` and `delay` while it runs.
    """

    def __init__(self) -> None:
        self.port = 0
        self.messages: list[EmailMessage] = []
        self.sessions = 0  # EHLOs: one per SMTP connection
        self.refuse: str | None = None  # a reply such as "451 4.3.0 Try again later"
        self.refuse_at = "RCPT"  # or "DATA"
        self.refuse_to: set[str] | None = None  # only these recipients; None: everyone
        self.delay = 0.0  # seconds before the reply to DATA
        self.data_started = threading.Event()
        self.aborted = threading.Event()  # the client left while DATA waited
        self._received = threading.Condition()

    def _refuses(self, addresses: list[str]) -> bool:
        return self.refuse is not None and (
            self.refuse_to is None or any(address in self.refuse_to for address in addresses)
        )

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_at == "RCPT" and self._refuses([address]):
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_at == "DATA" and self._refuses(envelope.rcpt_tos):
            return self.refuse
        self.data_started.set()
        if self.delay:
            try:
                await asyncio.sleep(self.delay)
            except asyncio.CancelledError:
                # aiosmtpd cancels the session when the client goes away: no 250 was
                # sent, so the message is not accepted, as with a real server.
                self.aborted.set()
                raise
        with self._received:
            self.messages.append(email.message_from_bytes(envelope.content,
                                                          policy=default_policy))
            self._received.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float) -> list[EmailMessage]:
        """The messages once there are `count` of them, or what came within `timeout`."""
        with self._received:
            self._received.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    yield sink
    controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_sink):
    """Django's SMTP backend to the sink (pytest-django would use locmem)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    return settings


@pytest.fixture
def in_process_celery(monkeypatch):
    """The embedded default (no broker): tasks run in process, whatever REDIS_URL says."""
    monkeypatch.setattr(app.conf, "task_always_eager", True)


@pytest.fixture
def redis_broker():
    """The shared Redis of settings.REDIS_URL, its own database flushed (queues included)."""
    require(bool(settings.REDIS_URL), "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/N")
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        require(False, f"Redis at {settings.REDIS_URL} does not answer PING: {error}")
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def worker_thread_factory(redis_broker, monkeypatch):
    """Start Celery's test worker (solo pool, in a thread) on the app's current broker.

    Tests using it need django_db(transaction=True): the worker thread has its own
    database connection and sees only committed rows.
    """
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    # Celery would otherwise replace the root logger's handlers, pytest's among them.
    monkeypatch.setattr(app.conf, "worker_hijack_root_logger", False)

    @contextmanager
    def running():
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20,
                          loglevel="WARNING") as worker:
            yield worker

    return running


@pytest.fixture
def celery_worker_thread(worker_thread_factory):
    with worker_thread_factory() as worker:
        yield worker


def use_broker(url: str) -> None:
    """Point the Celery app at another broker.

    The app caches its pools; kombu keeps them per broker URL, to be found again when
    the URL comes back, so they are dropped here, not closed.
    """
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


def subprocess_database_url() -> str:
    """The URL of pytest-django's test database, for processes outside this one."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST'] or '127.0.0.1'}"
            f":{db['PORT'] or 5432}/{db['NAME']}")


class WorkerProcesses:
    """`celery -A portail worker` subprocesses on the test database, Redis and the sink."""

    def __init__(self, log_dir: Path, env: dict[str, str]) -> None:
        self.log_dir = log_dir
        self.env = env
        self.processes: list[subprocess.Popen] = []

    def start(self, *, timeout: float = 30, **env: str) -> subprocess.Popen:
        log = self.log_dir / f"worker-{len(self.processes)}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "portail", "worker", "-P", "solo",
            "-Q", "default", "-c", "1", "-n", f"outbox-test-{uuid.uuid4().hex[:8]}@%h",
            "--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "info",
        ]
        with log.open("wb") as output:
            process = subprocess.Popen(  # noqa: S603 - our own command line
                command, cwd=settings.BASE_DIR, env={**self.env, **env}, stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        deadline = time.monotonic() + timeout
        while " ready." not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                self.stop(process)
                pytest.fail(f"the Celery worker did not start:\n{log.read_text()}")
            time.sleep(0.1)
        return process

    @staticmethod
    def stop(process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # warm shutdown: finishes its task
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def celery_worker_process(redis_broker, smtp_sink, tmp_path, monkeypatch):
    """Start (and SIGKILL, if the test wants) worker processes; all stopped at teardown.

    Outbox settings for the worker are given as environment variables to start().
    """
    require("postgresql" in settings.DATABASES["default"]["ENGINE"],
            "needs PostgreSQL (a worker process shares the test database): set DATABASE_URL")
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    pythonpath = os.pathsep.join(filter(None, [str(settings.BASE_DIR),
                                               os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        "PYTHONPATH": pythonpath,
        "DATABASE_URL": subprocess_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.port}",
        "DEBUG": "true",
        "CONN_MAX_AGE": "0",
    }
    workers = WorkerProcesses(tmp_path, env)
    yield workers
    for process in workers.processes:
        workers.stop(process)


class PrivateRedis:
    """A redis-server of the test's own, to stop and start again on the same port."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the private redis-server did not start on {self.port}")
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def private_redis(tmp_path):
    require(shutil.which("redis-server") is not None, "needs redis-server (Debian redis-server)")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_broker(private_redis, monkeypatch):
    """Celery's broker on the private Redis, as if REDIS_URL named it."""
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    previous = app.conf.broker_url
    use_broker(private_redis.url)
    yield private_redis
    use_broker(previous)


@pytest.fixture
def private_cache(private_redis, redis_broker, settings):
    """The cache on the private Redis too, configured as settings.py does for REDIS_URL."""
    settings.CACHES = {**settings.CACHES,
                       "default": {**settings.CACHES["default"], "LOCATION": private_redis.url}}
    return private_redis
