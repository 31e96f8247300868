"""The access code moves beside the guardian it belongs to, with its table and its rows:
only Django's record of which app owns it changes (accounts 0006 lets go of it)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from portail.migration_operations import content_type_move


class Migration(migrations.Migration):

    dependencies = [
        ('students', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
        # After the staff groups got the model's permissions: they keep them.
        ('accounts', '0005_unaccent'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(
            name='AccessCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='issued')),
                ('expires_at', models.DateTimeField(verbose_name='expires')),
                ('used_at', models.DateTimeField(blank=True, null=True, verbose_name='used')),
                ('claimed_by', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='access_code', to=settings.AUTH_USER_MODEL, verbose_name='claimed by')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='issued by')),
                ('guardian', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='access_codes', to='students.guardian', verbose_name='guardian')),
            ],
            options={
                'verbose_name': 'access code',
                'verbose_name_plural': 'access codes',
                'db_table': 'accounts_accesscode',
                'ordering': ['-created_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('created_at'))), name='accesscode_expires_after_issue')],
            },
        )]),
        content_type_move(model='accesscode', old_app='accounts', new_app='students'),
    ]
