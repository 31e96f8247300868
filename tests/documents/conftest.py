"""The email tests' real parts (SMTP sink, Redis, Celery), and a worker on the pdf queue."""

import pytest
from celery.contrib.testing.worker import start_worker

from portail.celery import app
from tests.notifications.conftest import (  # noqa: F401 - fixtures used by these tests
    in_process_celery,
    redis_broker,
    smtp_settings,
    smtp_sink,
)


@pytest.fixture
def pdf_and_email_worker(redis_broker, monkeypatch):  # noqa: F811 - the fixture above
    """Celery's test worker (solo pool, in a thread) on both queues, as one process of
    each worker would. Tests need django_db(transaction=True): it sees committed rows."""
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app.conf, "worker_hijack_root_logger", False)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30,
                      loglevel="WARNING", queues=["default", "pdf"]) as worker:
        yield worker


@pytest.fixture(autouse=True)
def private_files(tmp_path, monkeypatch):
    """Each test's own private storage (the fields hold the storage built at import)."""
    from django.core.files.storage import FileSystemStorage

    from documents.models import BoardForm, ReportCardFile

    storage = FileSystemStorage(location=tmp_path / "private", base_url=None,
                                file_permissions_mode=0o600, directory_permissions_mode=0o700)
    for model in (ReportCardFile, BoardForm):
        monkeypatch.setattr(model._meta.get_field("file"), "storage", storage)
    return storage
