from celery import shared_task

from diplomas import services


@shared_task(ignore_result=True)
def store_outdated_releves() -> int:
    """After a write to what the Relevé de notes pages show: their rows computed again
    before the parents' next visit (the visit would compute them otherwise)."""
    return services.store_outdated()
