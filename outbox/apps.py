from django.apps import AppConfig
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "outbox"
    # Not "Notifications": the home page's announcements and subscriptions are that section.
    verbose_name = capfirst(_("outgoing emails"))
