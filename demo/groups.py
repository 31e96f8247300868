"""Demo school groups and announcements, made by `seed_demo` with the demo board.

It makes the board's group, each school's group and the classes' groups of the first
sections of each school, with a few weeks of announcements ending today: one pinned, one
expired, some with a PDF or an image. Running it again changes nothing (the board's group
is there).
"""

import io
import random
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter

from notifications.models import Announcement, Attachment, Group
from students.models import School, Section

BOARD_GROUP = "Conseil des écoles publiques de l’Est de l’Ontario"
BOARD_NEWS = [
    ("Tempête hivernale : transport scolaire annulé",
     "Le transport scolaire est **annulé** aujourd’hui dans tout le Conseil. "
     "Les écoles restent ouvertes. Détails : [site du consortium](https://www.transportscolaire.ca)."),
    ("Sondage aux familles",
     "Donnez votre avis sur le Portail Famille d’ici le 15 du mois."),
    ("Journée pédagogique",
     "Il n’y aura pas de classe vendredi : journée pédagogique dans toutes les écoles."),
]
SCHOOL_NEWS = [
    ("Photo scolaire", "La photo scolaire aura lieu mardi. Le bon de commande est joint."),
    ("Soirée portes ouvertes", "Venez rencontrer le personnel de l’école jeudi à 18 h 30."),
    ("Collecte de denrées", "Apportez des denrées non périssables jusqu’à vendredi."),
    ("Rencontres parents-enseignants",
     "Réservez votre rencontre :\n\n- jeudi de 16 h à 20 h\n- vendredi de 9 h à 11 h"),
]
CLASS_NEWS = [
    ("Sortie au musée", "Sortie au Musée canadien de la nature. Le formulaire est joint."),
    ("Examen de mi-semestre", "L’examen aura lieu la semaine prochaine. Le plan est joint."),
]


def _pdf(title: str) -> ContentFile:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return ContentFile(buffer.getvalue(), name="document.pdf")


def _png() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (0, 80, 122)).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="image.png")


def _attach(announcement: Announcement, name: str, content: ContentFile) -> None:
    kind = "application/pdf" if name.endswith(".pdf") else "image/png"
    Attachment.objects.create(announcement=announcement, file=content, name=name,
                              content_type=kind, size=content.size)


def _post(group: Group, news: list[tuple[str, str]], *, start: datetime,
          rng: random.Random) -> list[Announcement]:
    posted = []
    for index, (title, body) in enumerate(news):
        posted.append(Announcement.objects.create(
            group=group, title=title, body=body,
            publish_at=start + timedelta(days=index * 7 + rng.randint(0, 3), hours=7)))
    return posted


@transaction.atomic
def seed_groups(*, schools: Iterable[School], sections_per_school: int = 2, weeks: int = 4,
                seed: int = 13) -> int:
    """Create the demo groups and their announcements; returns the number of groups made."""
    if Group.objects.filter(kind=Group.Kind.BOARD, name=BOARD_GROUP).exists():
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    start = datetime.combine(timezone.localdate() - timedelta(weeks=weeks), time(0),
                             timezone.get_current_timezone())
    board = Group.objects.create(kind=Group.Kind.BOARD, name=BOARD_GROUP)
    storm, *_rest = _post(board, BOARD_NEWS, start=start, rng=rng)
    # One expired: the storm is over; it shows nowhere any more.
    storm.publish_at, storm.expires_at = now - timedelta(days=20), now - timedelta(days=19)
    storm.save()
    made = 1
    for school in schools:
        group = Group.objects.create(kind=Group.Kind.SCHOOL, school=school, name=school.name)
        photo, *_rest, meetings = _post(group, SCHOOL_NEWS, start=start, rng=rng)
        _attach(photo, "bon-de-commande-photo.pdf", _pdf("Bon de commande"))
        meetings.pinned = True
        meetings.save()
        made += 1
        for section in (Section.objects.filter(school=school).select_related("course")
                        .order_by("pk")[:sections_per_school]):
            group = Group.objects.create(
                kind=Group.Kind.SECTION, school=school, section=section,
                name=f"{section.course.title_fr} ({section.course.code}-{section.section_number})")
            trip, exam = _post(group, CLASS_NEWS, start=start, rng=rng)
            _attach(trip, "formulaire-sortie.pdf", _pdf("Formulaire de sortie"))
            _attach(exam, "plan-de-la-salle.png", _png())
            made += 1
    return made
