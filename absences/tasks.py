from celery import shared_task

from absences import services


@shared_task(ignore_result=True)
def safe_arrival() -> int:
    """Every 5 minutes in the morning (CELERY_BEAT_SCHEDULE): the schools whose
    safe-arrival time has come email the guardians of unexplained absences."""
    return services.safe_arrival_run()
