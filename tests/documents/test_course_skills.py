"""A secondary report card rates the learning skills of each course: once per course and
skill, entered on the course's line in the admin, required of every course before
publishing, printed in a table of courses and skills before the courses."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent
from documents import selectors, services
from documents.models import LearningSkill, LearningSkillRating, ReportCard, ReportingPeriod
from tests.documents.factories import make_card, make_period
from tests.documents.test_rendering import in_order, render, text_of
from tests.pages import french, html_of

pytestmark = pytest.mark.django_db

Kind = ReportingPeriod.Kind
Rating = LearningSkillRating.Rating


def secondary_card(lines: int = 3, **options) -> ReportCard:
    return make_card(make_period(kind=Kind.SECONDARY_MIDTERM,
                                 publication_date=timezone.localdate()),
                     lines=lines, **options)


def ratings_of(line) -> dict[str, str]:
    return dict(line.skills.values_list("skill__code", "rating"))


# --- The model ------------------------------------------------------------------------------

def test_a_skill_is_rated_once_per_course_and_once_for_the_whole_card():
    card = secondary_card(lines=2)
    first = card.lines.first()
    skill = LearningSkill.objects.get(code="fiabilite")
    LearningSkillRating.objects.create(card=card, skill=skill, rating=Rating.GOOD)

    with pytest.raises(IntegrityError), transaction.atomic():
        LearningSkillRating.objects.create(card=card, line=first, skill=skill,
                                           rating=Rating.GOOD)
    with pytest.raises(IntegrityError), transaction.atomic():
        LearningSkillRating.objects.create(card=card, skill=skill, rating=Rating.EXCELLENT)

    # The same skill for each course, and for the card as a whole: each once.
    assert LearningSkillRating.objects.filter(card=card, skill=skill).count() == 3


def test_deleting_a_course_deletes_its_ratings():
    card = secondary_card(lines=2)
    first = card.lines.first()
    first.delete()
    assert card.skills.count() == len(LearningSkill.objects.all())  # the other course's


# --- What publishing requires ---------------------------------------------------------------

def test_every_course_must_be_rated_on_every_skill_and_the_missing_are_listed_by_course(
        in_process_celery, django_capture_on_commit_callbacks):
    card = secondary_card(lines=3)
    partly, unrated, _complete = card.lines.all()
    partly.skills.filter(skill__code__in=["fiabilite", "autonomie"]).delete()
    unrated.skills.all().delete()

    with translation.override("en"):
        assert selectors.missing_marks(selectors.report_card_for_rendering(card.pk)) == [
            f"{partly.subject}: Responsibility, Independent work",
            f"the learning skills of {unrated.subject}"]
    with django_capture_on_commit_callbacks(execute=True):
        result = services.period_publish(period=card.period)

    card.refresh_from_db()
    assert (result.queued, result.incomplete) == (0, 1)
    assert card.status == ReportCard.Status.INCOMPLETE and not card.files.exists()
    assert card.status_reason == french("Missing: %(what)s") % {"what": (
        french("%(course)s: %(skills)s") % {"course": partly.subject,
                                            "skills": "Fiabilité, Autonomie"}
        + f" {french('and')} "
        + french("the learning skills of %(course)s") % {"course": unrated.subject})}


def test_a_rating_for_the_whole_secondary_card_must_be_deleted_before_publishing():
    card = secondary_card(lines=1)
    LearningSkillRating.objects.create(card=card, skill=LearningSkill.objects.first(),
                                       rating=Rating.GOOD)

    with translation.override("en"):
        assert selectors.missing_marks(selectors.report_card_for_rendering(card.pk)) == [
            "the deletion of the learning skills rated for the whole card (a secondary "
            "card rates them per course)"]
    card.skills.filter(line=None).delete()
    assert selectors.missing_marks(selectors.report_card_for_rendering(card.pk)) == []


def test_an_elementary_card_is_still_rated_as_a_whole():
    card = make_card(make_period())
    assert not card.skills.exclude(line=None).exists()
    assert selectors.missing_marks(selectors.report_card_for_rendering(card.pk)) == []
    card.skills.get(skill__code="autonomie").delete()
    with translation.override("en"):
        assert selectors.missing_marks(selectors.report_card_for_rendering(card.pk)) == [
            "the learning skill Independent work"]


# --- The admin --------------------------------------------------------------------------------

def _change_data(card, ratings: dict[str, str]) -> dict:
    """The change form as the page posts it: the card, its line with `ratings` (by skill
    code), no rating for the whole card, no file."""
    line = card.lines.get()
    data = {"period": card.period_id, "student": card.student_id, "grade": card.grade,
            "teacher_name": card.teacher_name, "principal_name": card.principal_name,
            "comments": card.comments}
    for prefix, total, initial in (("lines", 1, 1), ("skills", 0, 0), ("files", 0, 0)):
        data.update({f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": initial,
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    data.update({"lines-0-id": line.pk, "lines-0-card": card.pk, "lines-0-order": 1,
                 "lines-0-subject": line.subject, "lines-0-percentage": line.percentage,
                 "lines-0-course_median": line.course_median, "lines-0-comment": line.comment})
    data.update({f"lines-0-skill_{code}": rating for code, rating in ratings.items()})
    return data


def test_the_admin_rates_each_course_on_its_line_and_publishing_refuses_a_missing_one(
        secretary_client, family, in_process_celery, django_capture_on_commit_callbacks):
    child = family.children[1]  # Grade 10
    card = make_card(make_period(kind=Kind.SECONDARY_MIDTERM, school=child.school,
                                 publication_date=timezone.localdate()), child, lines=1)
    line = card.lines.get()
    line.skills.all().delete()
    url = reverse("admin:documents_reportcard_change", args=[card.pk])

    page = html_of(secretary_client.get(url))
    for skill in LearningSkill.objects.all():  # a choice per skill, labelled with its name
        assert f'name="lines-0-skill_{skill.code}"' in page
        assert f'aria-label="{skill.name_fr}"' in page
    codes = [skill.code for skill in LearningSkill.objects.all()]
    ratings = dict.fromkeys(codes, Rating.EXCELLENT) | {"autonomie": ""}
    assert secretary_client.post(url, _change_data(card, ratings)).status_code == 302

    assert ratings_of(line) == {code: "E" for code in codes if code != "autonomie"}
    assert not card.skills.filter(line=None).exists()
    assert AuditEvent.objects.filter(after__learning_skills__fiabilite="E").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.period_publish(period=card.period)
    card.refresh_from_db()
    assert card.status == ReportCard.Status.INCOMPLETE
    assert "Autonomie" in card.status_reason and line.subject in card.status_reason

    # The missing one rated, another changed: the card is published.
    ratings |= {"autonomie": Rating.GOOD, "fiabilite": Rating.NEEDS_IMPROVEMENT}
    assert secretary_client.post(url, _change_data(card, ratings)).status_code == 302
    assert ratings_of(line) == {code: "E" for code in codes} | {
        "autonomie": "G", "fiabilite": "N"}
    with django_capture_on_commit_callbacks(execute=True):
        services.period_publish(period=card.period)
    assert card.files.count() == 1


def test_an_elementary_cards_lines_have_no_ratings_and_its_skills_stay_on_the_card(
        secretary_client, family):
    child = family.children[0]  # Grade 4
    card = make_card(make_period(school=child.school), child)
    page = html_of(secretary_client.get(reverse("admin:documents_reportcard_change",
                                                args=[card.pk])))
    assert "skill_fiabilite" not in page
    assert 'name="skills-0-rating"' in page  # the card's ratings, as before


def test_a_secondary_card_has_no_ratings_for_the_whole_card_to_add(secretary_client, family):
    child = family.children[1]
    card = make_card(make_period(kind=Kind.SECONDARY_MIDTERM, school=child.school), child,
                     lines=1)
    page = html_of(secretary_client.get(reverse("admin:documents_reportcard_change",
                                                args=[card.pk])))
    assert 'name="skills-0-rating"' not in page and 'id="skills-empty"' not in page
    assert 'name="lines-0-skill_fiabilite"' in page


# --- The PDF ----------------------------------------------------------------------------------

def test_the_pdf_shows_each_courses_ratings_before_the_courses():
    card = secondary_card(lines=2)
    first, second = card.lines.select_related("course")
    for line, letters in ((first, "EGSNGES"), (second, "NSGEEGN")):
        for rating, letter in zip(line.skills.order_by("skill__order"), letters, strict=True):
            rating.rating = letter
            rating.save()
    french_letters = str.maketrans("G", "T")  # Good is Très bien

    text = text_of(render(card))

    names = [skill.name_fr for skill in LearningSkill.objects.all()]
    with translation.override("fr"):
        assert in_order(
            text, _("Learning skills and work habits"), _("Course"), *names,
            f"{first.course.code} — {first.subject} "
            + " ".join("EGSNGES".translate(french_letters)),
            f"{second.course.code} — {second.subject} "
            + " ".join("NSGEEGN".translate(french_letters)),
            "T = Très bien", str(_("Courses"))), text
        assert str(_("Rating")) not in text  # no table of the card's own ratings
