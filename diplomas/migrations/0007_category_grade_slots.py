"""Grade slots replace "one credit per grade": Français is 1,2,3,4 as before (a board's
one-credit-per-grade category of fewer credits keeps its last grades, as the engine read
it), and Mathématiques is Grade 9, Grade 10 and one of Grade 11 or 12 (1,2,34) in the DESO
from 2024, three credits with one of Grade 11 or 12 (1234,1234,34) in the DESO of 2023
and before (ONTARIO.md)."""

import django.db.models.expressions
import django.db.models.functions.text
from django.db import migrations, models

import diplomas.models

MATHEMATICS = {"deso-2024": "1,2,34", "deso-2023": "1234,1234,34"}


def to_slots(apps, schema_editor) -> None:
    Category = apps.get_model("diplomas", "Category")
    for category in Category.objects.filter(one_per_grade=True):
        if category.credits == int(category.credits):
            category.grade_slots = ",".join("1234"[4 - int(category.credits):])
            category.save(update_fields=["grade_slots"])
    programme_slots(apps, schema_editor)
    _check_now(schema_editor)


def _check_now(schema_editor) -> None:
    # The deferred foreign-key checks of these updates must run before the ALTER TABLEs.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def programme_slots(apps, schema_editor) -> None:
    """The slots of migration 0002's programmes (tests load them again after a flush)."""
    Category = apps.get_model("diplomas", "Category")
    Category.objects.filter(programme__code__in=["deso-2024", "deso-2023"], patterns="FRA",
                            credits=4).update(grade_slots="1,2,3,4")
    for code, slots in MATHEMATICS.items():
        Category.objects.filter(programme__code=code, patterns="M", credits=3).update(
            grade_slots=slots)


def to_one_per_grade(apps, schema_editor) -> None:
    apps.get_model("diplomas", "Category").objects.filter(
        grade_slots__in=["1,2,3,4", "2,3,4", "3,4", "4"]).update(one_per_grade=True)
    _check_now(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('diplomas', '0006_category_one_per_grade'),
    ]

    operations = [
        migrations.AddField(
            model_name='category',
            name='grade_slots',
            field=models.CharField(blank=True, help_text='One credit per slot, of the grades it names, separated by commas: 1 is Grade 9, 4 Grade 12, 34 Grade 11 or 12. Mathematics: 1,2,34; Français: 1,2,3,4. Empty: credits of any grade.', max_length=20, validators=[diplomas.models.validate_grade_slots], verbose_name='grade slots'),
        ),
        migrations.RunPython(to_slots, to_one_per_grade),
        migrations.RemoveConstraint(
            model_name='category',
            name='category_one_per_grade_at_most_4',
        ),
        migrations.RemoveField(
            model_name='category',
            name='one_per_grade',
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.CheckConstraint(condition=models.Q(('grade_slots', ''), models.Q(('grade_slots__regex', '^[1-4]{1,4}(,[1-4]{1,4})*\\Z'), ('credits', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.functions.text.Length('grade_slots'), '-', django.db.models.functions.text.Length(django.db.models.functions.text.Replace('grade_slots', models.Value(','), models.Value('')))), '+', models.Value(1)))), _connector='OR'), name='category_a_credit_per_grade_slot', violation_error_message='Give one grade slot per credit of the category.'),
        ),
    ]
