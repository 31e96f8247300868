"""Demo report cards and forms, for `seed_demo`, the tests and the benchmark.

`seed_report_cards()` gives the demo board this school year's reporting periods whose
publication date has come, fills a report card for the demo families' children and
publishes them (in process with the embedded default; on the pdf queue with a broker),
and uploads a board form and a form per school. Running it again changes nothing.
"""

import random
from collections import Counter
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import escape

from documents import rendering, services
from documents.models import (
    BoardForm,
    LearningSkill,
    LearningSkillRating,
    ReportCard,
    ReportCardLine,
    ReportingPeriod,
)
from students.models import Course, School, Section, Student
from students.selectors import current_school_year

Kind = ReportingPeriod.Kind

COMMENT_SENTENCES = [
    "{name} lit avec aisance des textes variés et en dégage les idées principales",
    "{name} justifie ses réponses à l'aide d'exemples tirés du texte",
    "Prochaine étape : enrichir son vocabulaire en relisant ses travaux et en consultant "
    "le dictionnaire",
    "{name} participe activement aux discussions de groupe et respecte le point de vue "
    "des autres",
    "Continuer à organiser ses idées avant de rédiger, à l'aide d'un plan",
]
# Each subject's, course's (by its code's first letter: the ministry's subject area) and
# frame's own comment, as a teacher writes it.
SUBJECT_COMMENTS = {
    "Français — Lecture": COMMENT_SENTENCES[0] + ". Prochaine étape : justifier ses "
    "réponses à l'aide d'exemples tirés du texte.",
    "Français — Écriture": "{name} rédige des textes bien structurés. Prochaine étape : "
    "relire ses travaux pour corriger l'accord des verbes.",
    "Français — Communication orale": "{name} s'exprime avec clarté et respecte le point "
    "de vue des autres lors des discussions de groupe.",
    "Mathématiques": "{name} résout des problèmes à plusieurs étapes et explique sa "
    "démarche. Prochaine étape : vérifier la vraisemblance de ses réponses.",
    "Sciences et technologie": "{name} formule des hypothèses et les vérifie avec soin "
    "lors des expériences en classe.",
    "Études sociales": "{name} situe les grands événements sur une ligne du temps et en "
    "explique les conséquences.",
    "English": "{name} reads a variety of texts with growing confidence and shares ideas "
    "clearly.",
    "Éducation physique": "{name} participe avec enthousiasme et fait preuve d'esprit "
    "sportif.",
    "Santé": "{name} nomme des choix sains et explique leurs effets sur le bien-être.",
    "Arts visuels": "{name} utilise la couleur et la texture avec originalité dans ses "
    "créations.",
    "Musique": "{name} chante juste et suit le rythme lors des pièces en groupe.",
    "Art dramatique": "{name} s'investit dans ses rôles et exprime bien les émotions de "
    "ses personnages.",
    "Appartenance et contribution": "{name} joue avec ses camarades et aide à ranger la "
    "classe.",
    "Autorégulation et bien-être": "{name} nomme ses émotions et commence à attendre son "
    "tour.",
    "Manifestation des comportements en littératie et en mathématiques": "{name} reconnaît "
    "les lettres de son prénom et compte jusqu'à 20.",
    "Résolution de problèmes et innovation": "{name} construit des structures avec des "
    "blocs et explique comment elles tiennent debout.",
    "A": "{name} fait preuve de créativité dans ses projets et explique ses choix "
    "artistiques.",
    "B": "{name} analyse avec justesse les cas d'entreprise étudiés en classe.",
    "C": "{name} interprète bien les sources et appuie ses conclusions sur des faits.",
    "E": "{name} writes clear, well-organized paragraphs. Next step: vary sentence "
    "structure.",
    "F": "{name} analyse les textes littéraires avec finesse. Prochaine étape : enrichir "
    "son vocabulaire dans ses rédactions.",
    "G": "{name} a établi un plan d'itinéraire d'études réfléchi.",
    "I": "{name} écrit des programmes bien structurés et les teste avec méthode.",
    "M": "{name} maîtrise les relations linéaires. Prochaine étape : bien justifier chaque "
    "étape de ses solutions.",
    "P": "{name} participe activement et améliore sa condition physique.",
    "S": "{name} mène ses expériences avec rigueur et rédige des rapports de laboratoire "
    "complets.",
    "T": "{name} respecte les règles de sécurité à l'atelier et termine ses projets avec "
    "soin.",
}
DEFAULT_COMMENT = "{name} travaille avec sérieux et remet ses travaux à temps."
DEFAULT_TEACHER = "Mme Geneviève Lavoie"
ELEMENTARY_SUBJECTS = [
    "Français — Lecture", "Français — Écriture", "Français — Communication orale",
    "Mathématiques", "Sciences et technologie", "Études sociales", "English",
    "Éducation physique", "Santé", "Arts visuels", "Musique", "Art dramatique",
]
SECONDARY_COURSES = [
    ("FRA2D", "Français, 10e année"), ("MTH2D", "Mathématiques, 10e année"),
    ("SNC2D", "Sciences, 10e année"), ("CHC2D", "Histoire du Canada, 10e année"),
    ("EAE2D", "English, Grade 10"), ("GLC2O", "Exploration de carrière"),
    ("CHV2O", "Civisme et citoyenneté"), ("AVI2O", "Arts visuels"),
    ("PPL2O", "Vie active et santé"), ("TIJ1O", "Technologie"),
    ("ICS2O", "Informatique"), ("BBI2O", "Introduction aux affaires"),
]
KINDERGARTEN_FRAMES = [
    "Appartenance et contribution", "Autorégulation et bien-être",
    "Manifestation des comportements en littératie et en mathématiques",
    "Résolution de problèmes et innovation",
]
LETTERS = ["A+", "A", "A-", "B+", "B", "B-", "C+"]
RATINGS = ["E", "G", "G", "S", "S", "N"]


def demo_report_card(period: ReportingPeriod, student: Student, *, lines: int = 12,
                     complete: bool = True, comment_sentences: int | None = None,
                     rng: random.Random | None = None) -> ReportCard:
    """A report card as a teacher fills it: `lines` subjects or courses with the marks the
    kind and grade call for, each with its own comment (or, with `comment_sentences`, the
    same long one of that many sentences: the benchmark's and the layout tests'), the
    learning skills (each course's on a secondary card); the student's own teacher (from
    the timetable). `complete=False` leaves the last line without its mark."""
    rng = rng or random.Random(student.pk)
    card = ReportCard.objects.create(
        period=period, student=student, grade=student.grade,
        teacher_name=_teacher_of(period, student), principal_name=period.school.principal_name
        or "Mme Josée Lalonde", comments="Excellent début d'année. Continue ton beau travail !")
    long_comment = None if comment_sentences is None else ". ".join(
        COMMENT_SENTENCES[:comment_sentences]) + "."
    kind = period.kind
    if kind == Kind.KINDERGARTEN:
        subjects = [(None, frame) for frame in KINDERGARTEN_FRAMES]
    elif period.is_secondary:
        subjects = _courses_taken(period, student) or [
            (Course.objects.get_or_create(code=code, defaults={
                "title_fr": title, "title_en": title})[0], title)
            for code, title in SECONDARY_COURSES]
    else:
        subjects = [(None, subject) for subject in ELEMENTARY_SUBJECTS]
    rows = []
    for order, (course, subject) in enumerate(subjects[:lines], start=1):
        comment = long_comment or SUBJECT_COMMENTS.get(
            course.code[0] if course else subject, DEFAULT_COMMENT)
        line = ReportCardLine(card=card, order=order, course=course, subject=subject,
                              comment=comment.format(name=student.first_name))
        if kind == Kind.ELEMENTARY_PROGRESS:
            line.progress = rng.choice(ReportCardLine.Progress.values)
        elif kind == Kind.ELEMENTARY_PROVINCIAL and card.grade <= 6:
            line.letter_grade = rng.choice(LETTERS)
        elif kind != Kind.KINDERGARTEN:
            line.percentage = rng.randint(62, 96)
        if period.is_secondary:
            line.course_median = rng.randint(70, 80)
        if kind == Kind.SECONDARY_FINAL:
            line.credit_earned = ReportCardLine.Credit.ONE
        rows.append(line)
    if not complete and rows:
        last = rows[-1]
        last.letter_grade, last.percentage, last.progress, last.comment = "", None, "", ""
    ReportCardLine.objects.bulk_create(rows)
    # A secondary card rates each course; another, the whole card.
    skills = list(LearningSkill.objects.order_by("order"))
    if period.is_secondary:
        LearningSkillRating.objects.bulk_create(
            LearningSkillRating(card=card, line=line, skill=skill, rating=rng.choice(RATINGS))
            for line in rows for skill in skills)
    elif kind != Kind.KINDERGARTEN:
        LearningSkillRating.objects.bulk_create(
            LearningSkillRating(card=card, skill=skill, rating=rng.choice(RATINGS))
            for skill in skills)
    if kind == Kind.SECONDARY_FINAL:
        card.credits_earned_total, card.community_hours = 16, 25
        card.literacy_requirement_met = True
        card.save()
    return card


def _teacher_of(period: ReportingPeriod, student: Student) -> str:
    """The teacher of most of the student's classes in the period (an elementary homeroom's;
    at secondary, the first course's), else the demo's."""
    teachers = Counter(Section.objects.filter(
        students=student, term__start_date__lte=period.end_date,
        term__end_date__gte=period.start_date).exclude(teacher_name="")
        .order_by("course__code").values_list("teacher_name", flat=True))
    return teachers.most_common(1)[0][0] if teachers else DEFAULT_TEACHER


def _courses_taken(period: ReportingPeriod, student: Student) -> list[tuple[Course, str]]:
    """The courses of the student's timetable in the period's term (the Relevé de notes and
    Emploi du temps show the same ones); none for a student without a timetable."""
    sections = (Section.objects.filter(
        students=student, term__school_year=period.school_year,
        term__start_date__lte=period.end_date, term__end_date__gte=period.start_date)
        .select_related("course").order_by("course__code"))
    return [(section.course, section.course.title_fr) for section in sections]


def _stage(grade: int) -> str:
    """Which report cards a grade gets: kindergarten's, elementary's (Grades 1 to 8, at a
    7-12 secondary school too) or secondary's."""
    if grade <= 0:
        return "kindergarten"
    return "elementary" if grade <= 8 else "secondary"


def _rounds(stage: str, start_year: int) -> list[tuple[str, str, date]]:
    """The year's report-card rounds of a stage: kind, name, publication date."""
    if stage == "secondary":
        return [
            (Kind.SECONDARY_MIDTERM, "Bulletin de mi-semestre 1", date(start_year, 11, 15)),
            (Kind.SECONDARY_FINAL, "Bulletin final du semestre 1", date(start_year + 1, 2, 10)),
            (Kind.SECONDARY_MIDTERM, "Bulletin de mi-semestre 2", date(start_year + 1, 4, 20)),
            (Kind.SECONDARY_FINAL, "Bulletin final du semestre 2", date(start_year + 1, 6, 28)),
        ]
    if stage == "kindergarten":
        return [
            (Kind.KINDERGARTEN, "Communication du rendement — observations initiales",
             date(start_year, 11, 20)),
            (Kind.KINDERGARTEN, "Communication du rendement — hiver", date(start_year + 1, 2, 15)),
            (Kind.KINDERGARTEN, "Communication du rendement — juin", date(start_year + 1, 6, 25)),
        ]
    return [
        (Kind.ELEMENTARY_PROGRESS, "Bulletin de progrès", date(start_year, 11, 20)),
        (Kind.ELEMENTARY_PROVINCIAL, "Bulletin de février", date(start_year + 1, 2, 15)),
        (Kind.ELEMENTARY_PROVINCIAL, "Bulletin de juin", date(start_year + 1, 6, 25)),
    ]


def _form_pdf(title: str, text: str) -> bytes:
    # Escaped: a school's name may hold "&", which the XML parser would refuse.
    title, text = escape(title), escape(text)
    return rendering.html_to_pdf(f'<html lang="fr"><head><title>{title}</title></head>'
                                 f"<body><h1>{title}</h1><p>{text}</p></body></html>")


def _form(title_fr: str, title_en: str, school: School | None) -> None:
    if BoardForm.objects.filter(title_fr=title_fr, school=school).exists():
        return
    form = BoardForm(title_fr=title_fr, title_en=title_en, school=school)
    content = _form_pdf(title_fr, "Remplissez ce formulaire et rapportez-le à l'école.")
    form.file.save("formulaire.pdf", ContentFile(content), save=False)
    form.size = len(content)
    form.save()


def seed_report_cards(*, students: QuerySet[Student] | None = None,
                      today: date | None = None) -> int:
    """This year's report cards of `students` (default: the children of parent accounts,
    the demo families), for every round published by `today`; returns how many periods
    were published. Rendering 20,000 report cards is a worker's hour: hence the default."""
    today = today or timezone.localdate()
    school_year = current_school_year(today=today)
    if school_year is None:
        return 0
    if students is None:
        students = Student.objects.filter(guardian_links__guardian__user__isnull=False)
    students = list(students.filter(status=Student.Status.ACTIVE).distinct()
                    .select_related("school").order_by("pk"))
    published = []
    with transaction.atomic():
        for school in sorted({student.school for student in students}, key=lambda s: s.pk):
            _form(f"Formulaire de l'école — {school.name}", f"School form — {school.name}",
                  school)
            pupils = [student for student in students if student.school_id == school.pk]
            for stage in sorted({_stage(student.grade) for student in pupils}):
                group = [pupil for pupil in pupils if _stage(pupil.grade) == stage]
                for kind, name, publication in _rounds(stage, school_year.start_date.year):
                    if publication > today:
                        continue
                    period, _created = ReportingPeriod.objects.get_or_create(
                        school=school, school_year=school_year, name=name, defaults={
                            "kind": kind, "start_date": school_year.start_date,
                            "end_date": publication - timedelta(days=7),
                            "publication_date": publication})
                    have = set(period.report_cards.values_list("student_id", flat=True))
                    for student in group:
                        if student.pk not in have:
                            demo_report_card(period, student)
                    published.append(period)
        _form("Formulaire d'autorisation de sortie éducative", "Field trip permission form",
              None)
        _form("Formulaire de renseignements médicaux", "Medical information form", None)
    for period in published:
        services.period_publish(period=period)
    return len(published)
