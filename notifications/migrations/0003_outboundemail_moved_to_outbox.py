"""The outbox moved to its own app (outbox 0001), keeping this table: forget the model here
without dropping anything."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_outbound_email_context_cleared'),
        ('outbox', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name='OutboundEmail'),
        ]),
    ]
