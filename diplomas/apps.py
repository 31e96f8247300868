from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiplomasConfig(AppConfig):
    name = "diplomas"
    verbose_name = _("Transcripts and diplomas")

    def ready(self) -> None:
        from diplomas import signals  # noqa: F401 (connects the receivers)
