from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """PostgreSQL's unaccent, for the searches that ignore accents (portail/text.py);
    nothing on SQLite, where the function is Python's."""

    dependencies = [
        ("accounts", "0004_staff_groups"),
    ]

    operations = [
        UnaccentExtension(),
    ]
