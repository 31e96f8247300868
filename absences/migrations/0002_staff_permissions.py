"""School staff and the board's administration read and record the parents' reports, keep
the safe-arrival list, and set their schools' times and days without school.

Which schools' rows each sees comes from their staff profile (accounts/scoping.py).
"""

from django.db import migrations

from portail.migration_operations import staff_permissions

SCHOOL_SIDE = {
    **{model: ("view", "change") for model in ("absencereport", "safearrivalcheck")},
    **{model: ("view", "add", "change", "delete") for model in ("schoolday", "dayoff")},
}
GRANTS = {"Personnel scolaire": SCHOOL_SIDE, "Administration du conseil": SCHOOL_SIDE}


class Migration(migrations.Migration):

    dependencies = [
        ("absences", "0001_reports_school_days_safe_arrival"),
        ("accounts", "0004_staff_groups"),
    ]

    operations = [staff_permissions(app_label="absences", grants=GRANTS)]
