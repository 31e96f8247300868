"""The staff groups (accounts migration 0004) get the documents' permissions: schools enter
and publish their report cards and forms; the board everything; the help desk reads."""

from django.db import migrations

from portail.migration_operations import staff_permissions

ALL = ("view", "add", "change", "delete")
SCHOOL_RECORDS = ["reportingperiod", "reportcard", "reportcardline", "learningskillrating",
                  "boardform"]
GRANTS = {
    "Personnel scolaire": {**{model: ALL for model in SCHOOL_RECORDS},
                           "reportcardfile": ("view",), "learningskill": ("view",)},
    "Centre d'aide": {model: ("view",) for model in [*SCHOOL_RECORDS, "reportcardfile",
                                                     "learningskill"]},
    "Administration du conseil": {**{model: ALL for model in [*SCHOOL_RECORDS,
                                                               "learningskill"]},
                                  "reportcardfile": ("view",)},
}


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_learning_skills"), ("accounts", "0004_staff_groups")]
    operations = [staff_permissions(app_label="documents", grants=GRANTS)]
