"""The outbox's model, moved from the notifications app with its table and its rows: only
Django's record of which app owns it changes (notifications 0003 lets go of it)."""

import django.utils.timezone
from django.db import migrations, models

from portail.migration_operations import content_type_move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0002_outbound_email_context_cleared"),
        # After the staff groups got the model's permissions: they keep them.
        ("accounts", "0004_staff_groups"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(
            name='OutboundEmail',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('idempotency_key', models.CharField(max_length=200, unique=True, verbose_name='idempotency key')),
                ('template', models.CharField(max_length=100, verbose_name='template')),
                ('recipient', models.CharField(max_length=254, verbose_name='recipient')),
                ('language', models.CharField(choices=[('fr', 'French'), ('en', 'English')], max_length=2, verbose_name='language')),
                ('context', models.JSONField(blank=True, default=dict, null=True, verbose_name='context')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('sending', 'Sending'), ('sent', 'Sent'), ('retry', 'Waiting to retry'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='status')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='next attempt')),
                ('last_error', models.TextField(blank=True, verbose_name='last error')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent')),
            ],
            options={
                'verbose_name': 'outgoing email',
                'verbose_name_plural': 'outgoing emails',
                'db_table': 'notifications_outboundemail',
                'ordering': ['-created_at'],
                'indexes': [models.Index(fields=['status', 'next_attempt_at'], name='notificatio_status_36aace_idx')],
            },
        )]),
        content_type_move(model="outboundemail", old_app="notifications", new_app="outbox"),
    ]
