"""Caps across categories, and those of the DESO of 2023 and before (ONTARIO.md): at most
2 co-op credits and 2 language credits count in Groups 1, 2 and 3 together. Co-op: the
cooperative education codes, DC… (as in the groups of migration 0002). Language: in a
French-language school English (EAE) takes the place of French as a second language, the
language the rule limits; Français (FRA) is Group 1's "English" and other languages (L)
are not limited. The caps' tables outdate stored progress like the other programme tables
(migration 0005)."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

import diplomas.models
from portail.migration_operations import staff_permissions

triggers = importlib.import_module("diplomas.migrations.0005_outdate_progress_triggers")

GROUPS = ["Groupe 1", "Groupe 2", "Groupe 3"]
# Like the other programme tables (migration 0003): the board edits them, the others read.
GRANTS = {"Personnel scolaire": {"categorycap": ("view",)},
          "Centre d'aide": {"categorycap": ("view",)},
          "Administration du conseil": {"categorycap": ("view", "add", "change", "delete")}}
CAPS = [
    # (French name, English name, courses, credits)
    ("Éducation coopérative", "Cooperative education", "DC", 2),
    ("Anglais (langue seconde)", "English (second language)", "EAE", 2),
]


def outdate_on_change(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for table in ("diplomas_categorycap", "diplomas_categorycap_categories"):
            schema_editor.execute(triggers._trigger(
                table, "INSERT OR UPDATE OR DELETE OR TRUNCATE", "diplomas_outdate_all"),
                params=None)


def load_caps(apps, schema_editor) -> None:
    Programme = apps.get_model("diplomas", "Programme")
    CategoryCap = apps.get_model("diplomas", "CategoryCap")
    for programme in Programme.objects.filter(code="deso-2023"):
        groups = list(programme.categories.filter(name_fr__in=GROUPS))
        for name_fr, name_en, patterns, credits in CAPS:
            cap = CategoryCap.objects.create(programme=programme, name_fr=name_fr,
                                             name_en=name_en, patterns=patterns,
                                             credits=credits)
            cap.categories.set(groups)


class Migration(migrations.Migration):

    dependencies = [
        ('diplomas', '0007_category_grade_slots'),
        ('accounts', '0004_staff_groups'),
    ]

    operations = [
        migrations.CreateModel(
            name='CategoryCap',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name_fr', models.CharField(max_length=200, verbose_name='French name')),
                ('name_en', models.CharField(max_length=200, verbose_name='English name')),
                ('patterns', models.CharField(help_text='Course codes or code beginnings, separated by spaces: FRA4U (one course), FRA (every course whose code begins so), M??3 (? stands for any one character).', max_length=300, validators=[diplomas.models.validate_patterns], verbose_name='courses')),
                ('credits', models.DecimalField(decimal_places=1, max_digits=4, verbose_name='at most (credits)')),
                ('categories', models.ManyToManyField(blank=True, help_text='The categories of the programme where these courses count at most so many credits together.', related_name='caps', to='diplomas.category', verbose_name='in the categories')),
                ('programme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='caps', to='diplomas.programme', verbose_name='programme')),
            ],
            options={
                'verbose_name': 'credit limit',
                'verbose_name_plural': 'credit limits',
                'ordering': ['programme', 'pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('credits__gt', 0), ('credits__regex', '^[0-9]+(\\.0|\\.5)?$')), name='categorycap_credits_in_halves', violation_error_message='Credits come in halves: 0.5, 1, 1.5…')],
            },
            bases=(diplomas.models.Bilingual, models.Model),
        ),
        migrations.RunPython(outdate_on_change, migrations.RunPython.noop),
        migrations.RunPython(load_caps, migrations.RunPython.noop),
        staff_permissions(app_label="diplomas", grants=GRANTS),
    ]
