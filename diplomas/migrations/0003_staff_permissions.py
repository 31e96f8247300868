"""The staff groups get the diplomas' permissions: schools keep their students' diploma
records; the board edits the programmes; the help desk reads."""

from django.db import migrations

from portail.migration_operations import staff_permissions

ALL = ("view", "add", "change", "delete")
SCHOOL_RECORDS = ["diplomarecord", "waiver"]
BOARD_DATA = ["programme", "category", "subjectgroup"]
GRANTS = {
    "Personnel scolaire": {**{model: ALL for model in SCHOOL_RECORDS},
                           **{model: ("view",) for model in BOARD_DATA}},
    "Centre d'aide": {model: ("view",) for model in [*SCHOOL_RECORDS, *BOARD_DATA]},
    "Administration du conseil": {model: ALL for model in [*SCHOOL_RECORDS, *BOARD_DATA]},
}


class Migration(migrations.Migration):
    dependencies = [("diplomas", "0002_programmes"), ("accounts", "0004_staff_groups")]
    operations = [staff_permissions(app_label="diplomas", grants=GRANTS)]
