"""The reasons are the board's: its administration edits them, schools read them."""

from django.db import migrations

from portail.migration_operations import staff_permissions

GRANTS = {"Personnel scolaire": {"reason": ("view",)},
          "Administration du conseil": {"reason": ("view", "add", "change", "delete")}}


class Migration(migrations.Migration):

    dependencies = [
        ("absences", "0003_reasons_as_board_data_actual_arrival"),
        ("accounts", "0004_staff_groups"),
    ]

    operations = [staff_permissions(app_label="absences", grants=GRANTS)]
