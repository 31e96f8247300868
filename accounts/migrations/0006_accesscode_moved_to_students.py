"""Access codes moved to the students app (students 0002), keeping this table: forget the
model here without dropping anything."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_unaccent'),
        ('students', '0002_accesscode'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name='AccessCode'),
        ]),
    ]
