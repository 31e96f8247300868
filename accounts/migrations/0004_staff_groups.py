"""The staff permission groups: Personnel scolaire, Centre d'aide, Administration du conseil.

The groups give model permissions; which schools' rows a member sees comes from their staff
profile (accounts/scoping.py), and board-only pages (audit, outbox, staff accounts) also
need a board-level profile.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = ("view", "add", "change", "delete")
SCHOOL_RECORDS = ["student", "guardian", "studentguardian", "enrolment", "attendancerecord",
                  "section", "meeting", "sectionenrolment", "courseresult", "term",
                  "timetablepublication", "parentform"]
BOARD_DATA = ["school", "schoolyear", "attendancecode", "course"]

GROUPS = {
    # A school's secretary: their schools' records; the board's reference data read-only.
    "Personnel scolaire": {
        "students": {
            **{model: ("view", "add", "change", "delete") for model in SCHOOL_RECORDS},
            "student": ("view", "add", "change"),  # a student leaves: withdrawn, not deleted
            **{model: ("view",) for model in [*BOARD_DATA, "parentformresponse"]},
        },
        "accounts": {"user": ("view",), "accesscode": ("view", "add")},
    },
    # The help desk: finds any account, links guardians, reads the outbox and the trail.
    "Centre d'aide": {
        "students": {
            **{model: ("view",) for model in [*SCHOOL_RECORDS, *BOARD_DATA,
                                              "parentformresponse"]},
            "guardian": ("view", "change"),
            "studentguardian": ALL,
        },
        "accounts": {"user": ("view", "change"), "accesscode": ("view", "add"),
                     "auditevent": ("view",)},
        "account": {"emailaddress": ("view", "change")},
        "mfa": {"authenticator": ("view", "delete")},
        "notifications": {"outboundemail": ("view",)},
    },
    # The board's administration: everything, staff accounts and groups included.
    "Administration du conseil": {
        "students": {model: ALL for model in [*SCHOOL_RECORDS, *BOARD_DATA,
                                              "parentformresponse"]},
        "accounts": {"user": ALL, "staffprofile": ("view", "add", "change"),
                     "accesscode": ("view", "add"), "auditevent": ("view",)},
        "account": {"emailaddress": ALL},
        "mfa": {"authenticator": ("view", "delete")},
        "auth": {"group": ALL},
        "notifications": {"outboundemail": ("view",)},
    },
}


def set_groups(apps) -> None:
    """Create the groups with their permissions (tests call it again after a flush)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, apps_perms in GROUPS.items():
        wanted = [(app_label, f"{action}_{model}")
                  for app_label, models in apps_perms.items()
                  for model, actions in models.items() for action in actions]
        # By model, not app: the outgoing email and the access code moved apps later
        # (outbox 0001, students 0002), and tests call this on today's models.
        permissions = [Permission.objects.get(content_type__model=codename.split("_", 1)[1],
                                              codename=codename)
                       for _app_label, codename in wanted]
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations: make them exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    set_groups(apps)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_staff_and_audit"),
        ("students", "0001_initial"),
        ("notifications", "0001_initial"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("mfa", "0003_authenticator_type_uniq"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
