"""The staff groups get the diplomas' permissions: schools keep their students' diploma
records; the board edits the programmes; the help desk reads."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = ("view", "add", "change", "delete")
SCHOOL_RECORDS = ["diplomarecord", "waiver"]
BOARD_DATA = ["programme", "category", "subjectgroup"]
GROUPS = {
    "Personnel scolaire": {**{model: ALL for model in SCHOOL_RECORDS},
                           **{model: ("view",) for model in BOARD_DATA}},
    "Centre d'aide": {model: ("view",) for model in [*SCHOOL_RECORDS, *BOARD_DATA]},
    "Administration du conseil": {model: ALL for model in [*SCHOOL_RECORDS, *BOARD_DATA]},
}


def grant_permissions(apps) -> None:
    """Add the diplomas' permissions to the groups (tests call it again after a flush)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, models in GROUPS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        group.permissions.add(*Permission.objects.filter(
            content_type__app_label="diplomas",
            codename__in=[f"{action}_{model}" for model, actions in models.items()
                          for action in actions]))


def add_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations: make them exist now.
    app_config = apps.get_app_config("diplomas")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    grant_permissions(apps)


class Migration(migrations.Migration):
    dependencies = [("diplomas", "0002_programmes"), ("accounts", "0004_staff_groups")]
    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
