"""School staff and the board's administration post announcements in their groups.

Which groups a member of staff may use comes from their staff profile (accounts/scoping.py).
"""

from django.db import migrations

from portail.migration_operations import staff_permissions

POSTING = {model: ("view", "add", "change", "delete")
           for model in ("group", "announcement", "attachment")}
GRANTS = {"Personnel scolaire": POSTING, "Administration du conseil": POSTING}


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0004_groups_announcements_subscriptions"),
        ("accounts", "0004_staff_groups"),
    ]

    operations = [staff_permissions(app_label="notifications", grants=GRANTS)]
