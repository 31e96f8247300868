"""The import's schools, and the Celery workers of the email tests (a thread, or
processes to kill) for the import's."""

import pytest

from students import models
from tests import factories
from tests.outbox.conftest import (  # noqa: F401 - fixtures, found here by pytest
    celery_worker_process,
    redis_broker,
    smtp_sink,
    worker_thread_factory,
)


@pytest.fixture
def schools(db) -> dict[str, models.School]:
    return {
        "GRO": factories.SchoolFactory(code="GRO", name="École Gabrielle-Roy"),
        "SLM": factories.SchoolFactory(code="SLM", name="École Louis-Riel",
                                       level=models.Level.SECONDARY),
    }
