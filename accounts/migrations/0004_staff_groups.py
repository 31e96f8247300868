"""The staff permission groups (accounts/roles.py says what each may do)."""

from django.db import migrations

from accounts.roles import GROUPS, staff_groups_ensure


def create_groups(apps, schema_editor):
    staff_groups_ensure(apps)


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
