"""allauth's adapter for parents' accounts (ACCOUNT_ADAPTER): the account's side lives in
accounts.adapter; this adds what ties an account to the school's guardian record."""

from django.db import transaction
from django.http import HttpRequest

from accounts.adapter import AccountAdapter
from students import services


class ParentAccountAdapter(AccountAdapter):
    def confirm_email(self, request: HttpRequest, email_address) -> bool:
        # One transaction: the login ID is emailed only with the guardian linked.
        with transaction.atomic():
            confirmed = super().confirm_email(request, email_address)
            if confirmed:
                services.claimed_guardian_link(user=email_address.user)
        return confirmed
