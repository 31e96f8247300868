"""The reasons become the board's table (loaded with the list the code had, each report
moved onto its row; back again when reversed), and a late arrival gets the time the
school saw the child arrive."""

import django.db.models.deletion
from django.db import migrations, models

# (code, French label, English label): the list as it was in the code, in its order.
REASONS = [
    ("illness", "Maladie", "Illness"),
    ("medical", "Rendez-vous médical ou dentaire", "Medical or dental appointment"),
    ("family", "Raison familiale", "Family reason"),
    ("religious", "Fête religieuse", "Religious holiday"),
    ("bereavement", "Deuil", "Bereavement"),
    ("transport", "Problème de transport", "Transport problem"),
    ("other", "Autre", "Other"),
]


def load_reasons(apps, schema_editor):
    Reason = apps.get_model("absences", "Reason")
    for order, (code, label_fr, label_en) in enumerate(REASONS, start=1):
        Reason.objects.update_or_create(code=code, defaults={
            "label_fr": label_fr, "label_en": label_en, "order": order * 10})


def reports_onto_rows(apps, schema_editor):
    AbsenceReport = apps.get_model("absences", "AbsenceReport")
    Reason = apps.get_model("absences", "Reason")
    for reason in Reason.objects.all():
        AbsenceReport.objects.filter(reason_code=reason.code).update(reason=reason)


def reports_onto_codes(apps, schema_editor):
    AbsenceReport = apps.get_model("absences", "AbsenceReport")
    Reason = apps.get_model("absences", "Reason")
    for reason in Reason.objects.all():
        AbsenceReport.objects.filter(reason=reason).update(reason_code=reason.code)


class Migration(migrations.Migration):

    dependencies = [
        ("absences", "0002_staff_permissions"),
        ("students", "0006_courseresult_kind"),
    ]

    operations = [
        migrations.CreateModel(
            name="Reason",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=20, unique=True, verbose_name="code")),
                ("label_fr", models.CharField(max_length=100, verbose_name="French label")),
                ("label_en", models.CharField(max_length=100, verbose_name="English label")),
                ("active", models.BooleanField(default=True, verbose_name="offered to parents")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                ("absence_code", models.ForeignKey(blank=True, help_text="Leave empty for the board's usual code (absence motivée).", limit_choices_to={"kind": "absent"}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="students.attendancecode", verbose_name="attendance code for an absence")),
                ("late_code", models.ForeignKey(blank=True, help_text="Leave empty for the board's usual code (retard motivé).", limit_choices_to={"kind": "late"}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="students.attendancecode", verbose_name="attendance code for a late arrival")),
            ],
            options={
                "verbose_name": "reason",
                "verbose_name_plural": "reasons",
                "ordering": ["order", "label_fr"],
            },
        ),
        migrations.RunPython(load_reasons, migrations.RunPython.noop),
        # The old code column stays, renamed, until the reports point at their rows.
        migrations.RenameField("absencereport", "reason", "reason_code"),
        # Empty allowed while it goes (and while it comes back, when reversed).
        migrations.AlterField("absencereport", "reason_code",
                              models.CharField(max_length=15, null=True)),
        migrations.AddField(
            model_name="absencereport",
            name="reason",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="reports", to="absences.reason", verbose_name="reason"),
        ),
        migrations.RunPython(reports_onto_rows, reports_onto_codes),
        migrations.RemoveField("absencereport", "reason_code"),
        migrations.AlterField(
            model_name="absencereport",
            name="reason",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="reports", to="absences.reason", verbose_name="reason"),
        ),
        migrations.AddField(
            model_name="absencereport",
            name="arrived_at",
            field=models.TimeField(blank=True, null=True, verbose_name="actual arrival"),
        ),
        migrations.AddConstraint(
            model_name="absencereport",
            constraint=models.CheckConstraint(condition=models.Q(("arrived_at__isnull", True), ("kind", "late"), _connector="OR"), name="absencereport_arrival_only_when_late", violation_error_message="Only a late arrival has an arrival time."),
        ),
    ]
