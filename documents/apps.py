from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from accounts.audit import register_action_labels

        register_action_labels([("report_cards_publish", _("Report cards published"))])
