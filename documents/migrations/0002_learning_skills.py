"""The seven learning skills and work habits of Ontario report cards, as board data."""

from django.db import migrations

SKILLS = [
    ("fiabilite", "Fiabilité", "Responsibility", False),
    ("organisation", "Sens de l'organisation", "Organization", False),
    ("autonomie", "Autonomie", "Independent work", False),
    ("collaboration", "Esprit de collaboration", "Collaboration", False),
    ("initiative", "Sens de l'initiative", "Initiative", False),
    ("autoregulation", "Autorégulation", "Self-regulation", False),
    ("francais-oral", "Utilisation du français oral", "Use of oral French", True),
]


def add_skills(apps, schema_editor):
    LearningSkill = apps.get_model("documents", "LearningSkill")
    for order, (code, name_fr, name_en, french_only) in enumerate(SKILLS, start=1):
        LearningSkill.objects.update_or_create(code=code, defaults={
            "name_fr": name_fr, "name_en": name_en, "order": order,
            "french_language_only": french_only})


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(add_skills, migrations.RunPython.noop)]
