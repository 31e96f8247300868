"""The Celery workers of the email tests (a thread, or processes to kill), for the import's."""

from tests.notifications.conftest import (  # noqa: F401 - fixtures, found here by pytest
    celery_worker_process,
    redis_broker,
    smtp_sink,
    worker_thread_factory,
)
