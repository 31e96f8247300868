"""The admin site of the portal, through Django's hook for it (AdminConfig.default_site):
its titles, its pickers' text, and the admin's dates written as the portal writes them."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.utils.translation import gettext_lazy as _


class AutocompleteView(AutocompleteJsonView):
    """A picker's result in the words of the searched model's admin, when it has them
    (`autocomplete_text`: StudentAdmin tells two students of one name apart)."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if text := getattr(self.model_admin, "autocomplete_text", None):
            result["text"] = str(text(obj))
        return result


class PortailAdminSite(admin.AdminSite):
    site_header = _("Portail Famille: administration")
    site_title = _("Portail Famille")
    index_title = _("School data and accounts")

    def autocomplete_view(self, request):
        return AutocompleteView.as_view(admin_site=self)(request)


class PortailAdminConfig(AdminConfig):
    default_site = "portail.admin_site.PortailAdminSite"

    def ready(self) -> None:
        super().ready()
        from portail import admin_display

        admin_display.register()  # the admin writes dates and times as the portal does
