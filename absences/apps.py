from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AbsencesConfig(AppConfig):
    name = "absences"
    verbose_name = _("Absence reports and safe arrival")

    def ready(self) -> None:
        from accounts.audit import register_action_labels

        register_action_labels([
            ("absence_report_recorded", _("Absence report recorded as attendance")),
            ("safe_arrival_called", _("Family called (safe arrival)")),
        ])
