import logging
import os

from celery import Celery
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portail.settings")

app = Celery("portail")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def queue_after_commit(task, **kwargs) -> None:
    """Send the task to the worker once the caller's transaction commits.

    With the broker down, the request runs it itself: slower, but nothing the parent asked
    for is lost (a reset link, an account).
    """
    def send() -> None:
        try:
            task.apply_async(kwargs=kwargs, retry=False)
        except Exception:  # noqa: BLE001 - any broker failure
            logger.warning("Broker unavailable: %s run in the request", task.name)
            task.apply(kwargs=kwargs)
    transaction.on_commit(send)
