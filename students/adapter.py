"""allauth's adapter for parents' accounts (ACCOUNT_ADAPTER): the account's side lives in
accounts.adapter; this adds what ties an account to the school's guardian record."""

from django.db import transaction
from django.http import HttpRequest

from accounts.adapter import AccountAdapter
from accounts.models import User
from students import services


class ParentAccountAdapter(AccountAdapter):
    def save_user(self, request: HttpRequest, user: User, form, commit: bool = True) -> User:
        # The names come from step 1, or from the school's record for an existing parent.
        for field, value in services.signup_names(request).items():
            setattr(user, field, value)
        return super().save_user(request, user, form, commit)

    def confirm_email(self, request: HttpRequest, email_address) -> bool:
        # One transaction: the login ID is emailed only with the guardian linked.
        with transaction.atomic():
            confirmed = super().confirm_email(request, email_address)
            if confirmed:
                services.claimed_guardian_link(user=email_address.user)
        return confirmed
