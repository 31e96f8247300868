"""The email tests' real parts (SMTP sink, Redis, Celery), and a worker on the pdf queue."""

from importlib import import_module

import pytest
from celery.contrib.testing.worker import start_worker
from django.apps import apps

from portail.celery import app


@pytest.fixture
def pdf_and_email_worker(redis_broker, monkeypatch):
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


LEARNING_SKILLS_MIGRATION = import_module("documents.migrations.0002_learning_skills")


@pytest.fixture(autouse=True)
def learning_skills(db):
    """The migration's seven skills: a transactional test elsewhere flushed them."""
    LEARNING_SKILLS_MIGRATION.add_skills(apps, None)
