from celery import shared_task

from students import privacy


@shared_task(ignore_result=True)
def end_adult_guardian_access() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): guardians' access to adult students without consent."""
    return privacy.adult_access_end()
