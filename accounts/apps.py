from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # The proxy check; the password-reset and staff receivers.
        from accounts import checks, lockouts, staff  # noqa: F401
        from portail import text

        text.register()  # the help desk's and the admin's searches ignore accents
        # allauth's accounts app, in the admin only for its email addresses, is also
        # "Accounts": the home page would show two sections of that name.
        apps.get_app_config("account").verbose_name = _("Email Addresses")
