from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin (its password handling included) with the portal's fields."""

    list_display = ["username", "name", "email", "is_active", "is_staff", "last_login"]
    list_per_page = 50
    show_full_result_count = False
    search_fields = ["username", "email", "first_name", "last_name"]
    search_help_text = _("A login ID, an email or a name.")
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email",
                                         "preferred_language"]}),
        *DjangoUserAdmin.fieldsets[2:],
    ]
    add_fieldsets = [
        (None, {
            "classes": ["wide"],
            "fields": ["username", "email", "first_name", "last_name", "preferred_language",
                       "usable_password", "password1", "password2"],
        }),
    ]

    @admin.display(description=_("name"), ordering="last_name")
    def name(self, user: User) -> str:
        return user.get_full_name()
