"""School staff and the board's administration read and record the parents' reports, keep
the safe-arrival list, and set their schools' times and days without school.

Which schools' rows each sees comes from their staff profile (accounts/scoping.py).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    *(f"{action}_{model}" for model in ("absencereport", "safearrivalcheck")
      for action in ("view", "change")),
    *(f"{action}_{model}" for model in ("schoolday", "dayoff")
      for action in ("view", "add", "change", "delete")),
]
GROUPS = ["Personnel scolaire", "Administration du conseil"]


def allow(apps, schema_editor):
    # Permissions are normally created after all migrations: make them exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant_permissions(apps)


def grant_permissions(apps) -> None:
    """Add the permissions to the groups (tests call it again after a flush)."""
    Permission = apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.filter(content_type__app_label="absences",
                                                 codename__in=PERMISSIONS))
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def disallow(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="absences",
                                            codename__in=PERMISSIONS)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ("absences", "0001_reports_school_days_safe_arrival"),
        ("accounts", "0004_staff_groups"),
    ]

    operations = [migrations.RunPython(allow, disallow)]
