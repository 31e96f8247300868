"""The Ontario diploma programmes in their French-language-school form: DESO for the cohort
entering Grade 9 in 2024 or later, DESO for earlier cohorts, CESO. The board edits them in
the admin afterwards ([config] rows: the groups' subjects, the co-op codes)."""

from decimal import Decimal

from django.db import migrations

HALF = Decimal("0.5")

GROUPS = {
    # code: (French name, English name, courses)
    "stim": ("STIM : affaires, informatique, éducation coopérative, ou un crédit de plus en "
             "mathématiques, sciences ou éducation technologique",
             "STEM: business, computer studies, co-operative education, or one more credit "
             "in mathematics, science or technological education",
             "B I DC M S T"),
    "groupe-1": ("Groupe 1", "Group 1", "FRA EAE L C H G N DC"),
    "groupe-2": ("Groupe 2", "Group 2", "P A B EAE DC"),
    "groupe-3": ("Groupe 3", "Group 3", "S??3 S??4 T I EAE DC"),
}

SHARED = [
    # (French name, English name, credits, courses, groups)
    ("Mathématiques", "Mathematics", 3, "M", ()),
    ("Sciences", "Science", 2, "S", ()),
]
DESO_2024 = [
    ("Français", "French", 4, "FRA", ()),
    *SHARED,
    ("Éducation technologique (9e ou 10e année)",
     "Technological education (Grade 9 or 10)", 1, "T??1 T??2", ()),
    ("Histoire du Canada", "Canadian history", 1, "CHC2", ()),
    ("Géographie du Canada", "Canadian geography", 1, "CGC1", ()),
    ("Arts", "The arts", 1, "A", ()),
    ("Éducation physique et santé", "Health and physical education", 1, "P", ()),
    ("English", "English", 1, "EAE", ()),
    ("Exploration de carrière", "Career studies", HALF, "GLC2", ()),
    ("Civisme et citoyenneté", "Civics and citizenship", HALF, "CHV2", ()),
    ("STIM", "STEM", 1, "", ("stim",)),
]
DESO_2023 = [
    ("Français", "French", 4, "FRA", ()),
    *SHARED,
    ("Histoire du Canada", "Canadian history", 1, "CHC2", ()),
    ("Géographie du Canada", "Canadian geography", 1, "CGC1", ()),
    ("Arts", "The arts", 1, "A", ()),
    ("Éducation physique et santé", "Health and physical education", 1, "P", ()),
    ("English", "English", 1, "EAE", ()),
    ("Exploration de carrière", "Career studies", HALF, "GLC2", ()),
    ("Civisme et citoyenneté", "Civics and citizenship", HALF, "CHV2", ()),
    ("Groupe 1", "Group 1", 1, "", ("groupe-1",)),
    ("Groupe 2", "Group 2", 1, "", ("groupe-2",)),
    ("Groupe 3", "Group 3", 1, "", ("groupe-3",)),
]
CESO = [
    ("Français", "French", 2, "FRA", ()),
    ("Géographie ou histoire du Canada", "Canadian geography or history", 1, "CGC1 CHC2", ()),
    ("Mathématiques", "Mathematics", 1, "M", ()),
    ("Sciences", "Science", 1, "S", ()),
    ("Éducation physique et santé", "Health and physical education", 1, "P", ()),
    ("Arts ou éducation technologique", "The arts or technological education", 1, "A T", ()),
]
DIPLOMA = {"kind": "diploma", "total_credits": 30, "community_hours": 40,
           "literacy_required": True, "literacy_courses": "CCL4O OLC4O", "is_default": True}
PROGRAMMES = [
    ({**DIPLOMA, "code": "deso-2024", "first_cohort": 2024,
      "name_fr": "Diplôme d'études secondaires de l'Ontario (DESO)",
      "name_en": "Ontario Secondary School Diploma (OSSD)",
      "online_credits": 2, "financial_literacy_required": True}, DESO_2024, 13),
    # Online credits from the cohort of 2020-2021; financial literacy from September 2025,
    # in Grade 10 mathematics, which these cohorts had taken.
    ({**DIPLOMA, "code": "deso-2023", "last_cohort": 2023,
      "name_fr": "Diplôme d'études secondaires de l'Ontario (DESO), cohortes de 2023 et avant",
      "name_en": "Ontario Secondary School Diploma (OSSD), cohorts of 2023 and earlier",
      "online_credits": 2}, DESO_2023, 12),
    ({"code": "ceso", "kind": "certificate", "total_credits": 14,
      "name_fr": "Certificat d'études secondaires de l'Ontario (CESO)",
      "name_en": "Ontario Secondary School Certificate (OSSC)"}, CESO, 7),
]


def load_programmes(apps, schema_editor):
    SubjectGroup = apps.get_model("diplomas", "SubjectGroup")
    Programme = apps.get_model("diplomas", "Programme")
    Category = apps.get_model("diplomas", "Category")
    groups = {code: SubjectGroup.objects.create(code=code, name_fr=fr, name_en=en,
                                                patterns=patterns)
              for code, (fr, en, patterns) in GROUPS.items()}
    for fields, categories, optional in PROGRAMMES:
        programme = Programme.objects.create(**fields)
        rows = [*categories, ("Crédits au choix", "Optional credits", optional, "", ())]
        for order, (fr, en, credits, patterns, group_codes) in enumerate(rows, start=1):
            category = Category.objects.create(
                programme=programme, order=order, name_fr=fr, name_en=en, credits=credits,
                patterns=patterns, any_course=fr == "Crédits au choix")
            category.groups.set([groups[code] for code in group_codes])


class Migration(migrations.Migration):
    dependencies = [("diplomas", "0001_initial")]
    operations = [migrations.RunPython(load_programmes, migrations.RunPython.noop)]
