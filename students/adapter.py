"""allauth's adapter for parents' accounts (ACCOUNT_ADAPTER): the account's side lives in
accounts.adapter; this adds what ties an account to the school's guardian record."""

from django.db import transaction
from django.http import HttpRequest

from accounts.adapter import AccountAdapter, login_id_base
from accounts.models import User
from students import services


class ParentAccountAdapter(AccountAdapter):
    def clean_password(self, password: str, user: User | None = None) -> str:
        if user is not None and user.pk is None and self.request is not None:
            # Sign-up: the account does not exist yet, and allauth's stand-in knows only
            # the email. The names of step 1 (or the school's record) and the login ID
            # they make are checked too.
            for field, value in services.signup_names(self.request).items():
                setattr(user, field, value)
            user.username = user.username or login_id_base(user)
        return super().clean_password(password, user)

    def confirm_email(self, request: HttpRequest, email_address) -> bool:
        # One transaction: the login ID is emailed only with the guardian linked.
        with transaction.atomic():
            confirmed = super().confirm_email(request, email_address)
            if confirmed:
                services.claimed_guardian_link(user=email_address.user)
        return confirmed
