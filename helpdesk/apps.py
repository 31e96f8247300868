from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("User help centre")

    def ready(self) -> None:
        from accounts.audit import register_action_labels
        from helpdesk.services import EMAIL_RESEND, Audit

        register_action_labels([*Audit.choices, (EMAIL_RESEND, _("Email queued again"))])
