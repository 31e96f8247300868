from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Students and schools")

    def ready(self) -> None:
        from accounts.audit import register_action_labels
        from students import services, signals  # noqa: F401 (connects the receivers)

        register_action_labels([
            (services.ACCESS_CODE_ISSUE, _("Access code issued")),
            (services.ACCESS_CODE_EXPIRE, _("Access code replaced by a new one")),
            ("csv_import", _("Imported from a file")),
            ("student_withdrawn", _("Student withdrawn")),
            ("guardian_account_closed", _("Guardian's account closed")),
            ("adult_access_ended", _("Access ended: adult student without consent")),
        ])
