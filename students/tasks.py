from celery import shared_task

from students import imports, privacy, signup


@shared_task(ignore_result=True)
def end_adult_guardian_access() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): guardians' access to adult students without consent."""
    return privacy.adult_access_end()


@shared_task(ignore_result=True)
def import_job_task(job_id: int) -> None:
    """Check, or import once confirmed, a start-of-year file (students.ImportJob)."""
    imports.import_job_run(job_id=job_id)


@shared_task(ignore_result=True)
def signup_account_create(**kwargs) -> None:
    """A parent's new account, or an email saying the address has one (students.signup)."""
    signup.account_create(**kwargs)
