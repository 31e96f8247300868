"""The staff permission groups: Personnel scolaire, Centre d'aide, Administration du conseil.

The groups give model permissions; which schools' rows a member sees comes from their staff
profile (accounts/scoping.py), and board-only pages (audit, outbox, staff accounts) also
need a board-level profile. The data migration 0004 and the tests (after a transactional
test's flush) build them with the same function, `staff_groups_ensure`.
"""

from django.apps import apps as installed_apps
from django.contrib.auth.management import create_permissions

SCHOOL_STAFF = "Personnel scolaire"
HELP_DESK = "Centre d'aide"
BOARD_ADMINISTRATION = "Administration du conseil"
# The roles that work for every school: their staff profile is board-level.
BOARD_LEVEL_ROLES = frozenset({HELP_DESK, BOARD_ADMINISTRATION})

ALL = ("view", "add", "change", "delete")
SCHOOL_RECORDS = ["student", "guardian", "studentguardian", "enrolment", "attendancerecord",
                  "section", "meeting", "sectionenrolment", "courseresult", "term",
                  "timetablepublication", "parentform"]
BOARD_DATA = ["school", "schoolyear", "attendancecode", "course"]

GROUPS = {
    # A school's secretary: their schools' records; the board's reference data read-only.
    SCHOOL_STAFF: {
        "students": {
            **{model: ("view", "add", "change", "delete") for model in SCHOOL_RECORDS},
            "student": ("view", "add", "change"),  # a student leaves: withdrawn, not deleted
            **{model: ("view",) for model in [*BOARD_DATA, "parentformresponse"]},
            "accesscode": ("view", "add"),
        },
        "accounts": {"user": ("view",)},
    },
    # The help desk: finds any account, links guardians, reads the outbox and the trail.
    HELP_DESK: {
        "students": {
            **{model: ("view",) for model in [*SCHOOL_RECORDS, *BOARD_DATA,
                                              "parentformresponse"]},
            "guardian": ("view", "change"),
            "studentguardian": ALL,
            "accesscode": ("view", "add"),
        },
        "accounts": {"user": ("view", "change"), "auditevent": ("view",)},
        "account": {"emailaddress": ("view", "change")},
        "mfa": {"authenticator": ("view", "delete")},
        "outbox": {"outboundemail": ("view",)},
    },
    # The board's administration: everything, staff accounts and groups included.
    BOARD_ADMINISTRATION: {
        "students": {**{model: ALL for model in [*SCHOOL_RECORDS, *BOARD_DATA,
                                                 "parentformresponse"]},
                     "accesscode": ("view", "add")},
        "accounts": {"user": ALL, "staffprofile": ("view", "add", "change"),
                     "auditevent": ("view",)},
        "account": {"emailaddress": ALL},
        "mfa": {"authenticator": ("view", "delete")},
        "auth": {"group": ALL},
        "outbox": {"outboundemail": ("view",)},
    },
}


def staff_groups_ensure(apps=None) -> None:
    """Create the groups, or set them back, with exactly their permissions.

    `apps`: a migration's historical registry; the installed apps by default. Every
    permission named must exist in it: a group that gains a model created later needs a
    new data migration calling this again.
    """
    apps = apps or installed_apps
    # Permissions are normally created after all migrations (post_migrate): make them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True  # create_permissions skips an app without it
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, apps_perms in GROUPS.items():
        wanted = [(app_label, f"{action}_{model}")
                  for app_label, models in apps_perms.items()
                  for model, actions in models.items() for action in actions]
        permissions = [_permission(Permission, app_label, codename)
                       for app_label, codename in wanted]
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)


def _permission(Permission, app_label: str, codename: str):
    """The permission in its app; else, for a model that has since moved app, by model
    alone: in migration 0004's registry the access code was still in accounts and the
    outgoing email in notifications (they moved in students 0002 and outbox 0001)."""
    found = Permission.objects.filter(content_type__app_label=app_label,
                                      codename=codename).first()
    return found or Permission.objects.get(content_type__model=codename.split("_", 1)[1],
                                           codename=codename)
