"""Report cards for tests and the benchmark: every kind, with the marks its grade calls for."""

import datetime

from documents.models import (
    LearningSkill,
    LearningSkillRating,
    ReportCard,
    ReportCardLine,
    ReportingPeriod,
)
from students.models import Course, Level, School, Student
from tests import factories

Kind = ReportingPeriod.Kind

COMMENT = ("{name} lit avec aisance des textes variés et en dégage les idées principales. "
           "Elle justifie ses réponses à l'aide d'exemples tirés du texte. Prochaine étape : "
           "enrichir son vocabulaire en relisant ses travaux et en consultant le dictionnaire. "
           "Elle participe activement aux discussions de groupe et respecte le point de vue "
           "des autres.")
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


def make_period(*, kind: str = Kind.ELEMENTARY_PROVINCIAL, school: School | None = None,
                name: str = "Bulletin de février",
                publication_date: datetime.date = datetime.date(2027, 2, 15),
                **fields) -> ReportingPeriod:
    if school is None:
        secondary = kind in (Kind.SECONDARY_MIDTERM, Kind.SECONDARY_FINAL)
        school = factories.SchoolFactory(
            level=Level.SECONDARY if secondary else Level.ELEMENTARY)
    return ReportingPeriod.objects.create(
        school=school, school_year=factories.SchoolYearFactory(), kind=kind, name=name,
        start_date=fields.pop("start_date", datetime.date(2026, 9, 2)),
        end_date=fields.pop("end_date", datetime.date(2027, 1, 29)),
        publication_date=publication_date, **fields)


def make_card(period: ReportingPeriod, student: Student | None = None, *, lines: int = 12,
              complete: bool = True, comment_sentences: int = 4) -> ReportCard:
    """A report card with `lines` subjects or courses and the seven learning skills."""
    student = student or factories.StudentFactory(school=period.school, grade=(
        10 if period.is_secondary else 0 if period.kind == Kind.KINDERGARTEN else 6))
    card = ReportCard.objects.create(
        period=period, student=student, grade=student.grade,
        teacher_name="Mme Geneviève Lavoie", principal_name=period.school.principal_name,
        comments="Excellent trimestre. Continue ton beau travail !")
    comment = " ".join(COMMENT.format(name=student.first_name).split(". ")[:comment_sentences])
    kind = period.kind
    rows = []
    if kind == Kind.KINDERGARTEN:
        subjects = [(None, frame) for frame in KINDERGARTEN_FRAMES]
    elif period.is_secondary:
        subjects = [(Course.objects.get_or_create(code=code, defaults={
            "title_fr": title, "title_en": title})[0], title)
            for code, title in SECONDARY_COURSES]
    else:
        subjects = [(None, subject) for subject in ELEMENTARY_SUBJECTS]
    for order, (course, subject) in enumerate(subjects[:lines], start=1):
        line = ReportCardLine(card=card, order=order, course=course, subject=subject,
                              comment=comment)
        if kind == Kind.ELEMENTARY_PROGRESS:
            line.progress = ReportCardLine.Progress.VERY_WELL
        elif kind == Kind.ELEMENTARY_PROVINCIAL and card.grade <= 6:
            line.letter_grade = "B+"
        elif kind != Kind.KINDERGARTEN:
            line.percentage = 70 + order
        if period.is_secondary:
            line.course_median = 74
        if kind == Kind.SECONDARY_FINAL:
            line.credit_earned = ReportCardLine.Credit.ONE
        rows.append(line)
    if not complete and rows:
        rows[-1].letter_grade, rows[-1].percentage, rows[-1].progress = "", None, ""
        rows[-1].comment = ""
    ReportCardLine.objects.bulk_create(rows)
    if kind != Kind.KINDERGARTEN:
        ratings = ["E", "G", "S", "N", "G", "E", "G"]
        LearningSkillRating.objects.bulk_create(
            LearningSkillRating(card=card, skill=skill, rating=rating)
            for skill, rating in zip(LearningSkill.objects.order_by("order"), ratings,
                                     strict=False))
    if kind == Kind.SECONDARY_FINAL:
        card.credits_earned_total, card.community_hours = 16, 25
        card.literacy_requirement_met = True
        card.save()
    return card
