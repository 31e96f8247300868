"""School staff and the board's administration post announcements in their groups.

Which groups a member of staff may use comes from their staff profile (accounts/scoping.py).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

POSTING = [f"{action}_{model}" for model in ("group", "announcement", "attachment")
           for action in ("view", "add", "change", "delete")]
GROUPS = ["Personnel scolaire", "Administration du conseil"]


def allow_posting(apps, schema_editor):
    # Permissions are normally created after all migrations: make them exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant_posting(apps)


def grant_posting(apps) -> None:
    """Add the posting permissions to the groups (tests call it again after a flush)."""
    Permission = apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.filter(content_type__app_label="notifications",
                                                 codename__in=POSTING))
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def disallow_posting(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="notifications",
                                            codename__in=POSTING)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0004_groups_announcements_subscriptions"),
        ("accounts", "0004_staff_groups"),
    ]

    operations = [migrations.RunPython(allow_posting, disallow_posting)]
