"""The staff groups (accounts migration 0004) get the documents' permissions: schools enter
and publish their report cards and forms; the board everything; the help desk reads."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = ("view", "add", "change", "delete")
SCHOOL_RECORDS = ["reportingperiod", "reportcard", "reportcardline", "learningskillrating",
                  "boardform"]
GROUPS = {
    "Personnel scolaire": {**{model: ALL for model in SCHOOL_RECORDS},
                           "reportcardfile": ("view",), "learningskill": ("view",)},
    "Centre d'aide": {model: ("view",) for model in [*SCHOOL_RECORDS, "reportcardfile",
                                                     "learningskill"]},
    "Administration du conseil": {**{model: ALL for model in [*SCHOOL_RECORDS,
                                                               "learningskill"]},
                                  "reportcardfile": ("view",)},
}


def grant_permissions(apps) -> None:
    """Add the documents' permissions to the groups (tests call it again after a flush)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, models in GROUPS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        group.permissions.add(*Permission.objects.filter(
            content_type__app_label="documents",
            codename__in=[f"{action}_{model}" for model, actions in models.items()
                          for action in actions]))


def add_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations: make them exist now.
    app_config = apps.get_app_config("documents")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    grant_permissions(apps)


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_learning_skills"), ("accounts", "0004_staff_groups")]
    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
