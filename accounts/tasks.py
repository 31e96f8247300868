from celery import shared_task

from accounts import recovery


@shared_task(ignore_result=True)
def login_id_recover(*, email: str, language: str) -> None:
    recovery.login_id_recover(email=email, language=language)


@shared_task(ignore_result=True)
def password_reset_send(*, login: str, language: str) -> None:
    recovery.password_reset_send(login=login, language=language)
