"""A parent's new account, made in the worker (students/tasks.py).

Step 2's page hashes the password and the security answer, queues one task and answers
"validation message sent" whether the email is new or already has an account: the page
then costs the same either way, and nobody learns from it that an address has an account.
Here, an address already in use gets an email saying so; a new one gets its account, its
guardian contact or claimed access code, and the validation link.
"""

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User
from accounts.recovery import site_url
from outbox.services import email_queue
from students.models import AccessCode, Guardian


def _already_registered_tell(*, email: str, language: str) -> None:
    email_queue(recipient=email, template="account/account_already_exists", context={
        "signup_url": site_url(reverse("accounts:signup")),
        "password_reset_url": site_url(reverse("account_reset_password")),
    }, language=language)


def account_create(*, email: str, password_hash: str, security_question: str,
                   security_answer_hash: str, names: dict[str, str],
                   profile: dict | None, code_id: int | None, language: str) -> None:
    """Make the account asked for at step 2, or tell the address's owner it has one."""
    registered = (User.objects.filter(email__iexact=email).exists()
                  or EmailAddress.objects.filter(email__iexact=email).exists())
    if registered:
        _already_registered_tell(email=email, language=language)
        return
    user = User(email=email, password=password_hash, preferred_language=language,
                security_question=security_question, security_answer=security_answer_hash,
                **names)
    get_adapter().populate_username(None, user)
    try:
        with transaction.atomic():
            user.save()
            address = EmailAddress.objects.create(user=user, email=email, primary=True,
                                                  verified=False)
            if code_id is not None:
                # Linked to the guardian once the email is validated (students.adapter).
                AccessCode.objects.usable().filter(pk=code_id).update(claimed_by=user)
            elif profile is not None:
                Guardian.objects.create(user=user, email=email, preferred_language=language,
                                        **profile)
            address.send_confirmation(None, signup=True)
    except IntegrityError:  # the same address signed up twice at once: one account
        _already_registered_tell(email=email, language=language)
