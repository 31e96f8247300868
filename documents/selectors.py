"""Reads: what a report card says (for rendering), and what a parent may download.

Every parent read resolves the student through students.selectors (who may see whom);
anything else is a 404.
"""

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from uuid import UUID

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.urls import get_script_prefix
from django.utils import formats, timezone, translation
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from documents import rendering
from documents.models import (
    BoardForm,
    LearningSkill,
    LearningSkillRating,
    ReportCard,
    ReportCardFile,
    ReportCardLine,
    ReportingPeriod,
)
from portail.compiled import CompiledQuery
from portail.formats import format_phone, long_date
from portail.paths import path_maker
from portail.text import in_reader_language
from students import selectors as student_selectors
from students.models import AttendanceCode, AttendanceRecord, Grade, Level, Section, Student

Kind = ReportingPeriod.Kind

# Characters no file system accepts in a name (Windows' list, the strictest); accents stay.
_UNSAFE_IN_FILE_NAME = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]')


def file_name_safe(text: str) -> str:
    return " ".join(_UNSAFE_IN_FILE_NAME.sub(" ", text).split()).strip(" .")


def report_card_filename(card: ReportCard) -> str:
    """The board's naming rule for report-card files. Elementary: name and first
    name_OEN_report_year_date; secondary: school code_OEN_report_year_date."""
    period = card.period
    student = card.student
    if period.school.level == Level.SECONDARY:
        first = period.school.code
    else:
        first = f"{student.legal_last_name} {student.legal_first_name}"
    parts = [first, student.niso, period.name, period.school_year.name,
             period.publication_date.isoformat()]
    return "_".join(file_name_safe(part) for part in parts) + ".pdf"


def report_card_version_filename(card: ReportCard, version: int) -> str:
    """The name of a version staff download: the latest keeps the rule's name (the file
    parents have); an earlier one says which it is, so as not to overwrite it."""
    name = report_card_filename(card)
    if version == card.files.aggregate(latest=Max("version"))["latest"]:
        return name
    return f"{name.removesuffix('.pdf')} (version {version}).pdf"


# --- What a report card says --------------------------------------------------------------

def _mark_columns(kind: str, grade: int) -> tuple[list[str], list[int]]:
    """The headings between the subject and the comment, and every column's width (%)."""
    if kind == Kind.KINDERGARTEN:
        return [], [28, 72]
    if kind == Kind.ELEMENTARY_PROGRESS:
        return [_("Progress")], [24, 18, 58]
    if kind == Kind.ELEMENTARY_PROVINCIAL:
        return [_("Mark (%)") if grade >= 7 else _("Letter grade")], [24, 10, 66]
    # Secondary: the credit blank at midterm unless one is recorded.
    return ([_("Mark (%)"), _("Course median"), _("Credit earned"), _("Classes missed"),
             _("Times late")], [20, 8, 9, 9, 10, 9, 35])


def _line_values(kind: str, line: ReportCardLine) -> list[str]:
    percent = _number(line.percentage)
    if kind == Kind.KINDERGARTEN:
        return []
    if kind == Kind.ELEMENTARY_PROGRESS:
        return [line.get_progress_display()]
    if kind == Kind.ELEMENTARY_PROVINCIAL:
        return [line.letter_grade or percent]
    return [line.letter_grade or percent, _number(line.course_median),
            line.get_credit_earned_display(), _number(line.classes_missed),
            _number(line.times_late)]


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def report_card_for_rendering(card_id: int) -> ReportCard:
    return (ReportCard.objects.select_related("period__school", "period__school_year",
                                              "student")
            .prefetch_related("lines__course", "skills__skill").get(pk=card_id))


def report_card_preview_pdf(card_id: int) -> bytes:
    """The report card as publishing would render it now (attendance counted today), for
    staff to check; nothing is stored."""
    card = report_card_for_rendering(card_id)
    report_card_count(card)
    return rendering.report_card_pdf(report_card_document(card))


def report_card_count(card: ReportCard) -> None:
    """What publishing counts from attendance over the period's dates, set on the card and
    its prefetched lines, not saved: the card's days absent and times late; on a secondary
    card, each course's classes missed and times late, and its teacher (its section's in
    the student's timetable, else the card's)."""
    period = card.period
    records = list(student_selectors.attendance_records(card.student, start=period.start_date,
                                                        end=period.end_date))
    totals = student_selectors.attendance_counts(records)
    card.days_absent, card.times_late = totals["days_absent"], totals["times_late"]
    if not period.is_secondary:
        return
    sections = student_selectors.sections_between(card.student, start=period.start_date,
                                                  end=period.end_date)
    for line in card.lines.all():
        taught = [section for section in sections if section.course_id == line.course_id]
        counts = _course_attendance(records, taught)
        line.classes_missed, line.times_late = counts["classes_missed"], counts["times_late"]
        line.teacher_name = next((section.teacher_name for section in reversed(taught)
                                  if section.teacher_name), card.teacher_name)


def _course_attendance(records: list[AttendanceRecord], sections: list[Section]
                       ) -> dict[str, int]:
    """A course's classes missed and times late: the records of its sections' periods on
    the days they meet in their term. A full day's absence misses each class of that day;
    a late arrival counts for the class of its period."""
    counts = {"classes_missed": 0, "times_late": 0}
    for record in records:
        kind = record.code.kind
        if kind not in (AttendanceCode.Kind.ABSENT, AttendanceCode.Kind.LATE):
            continue
        classes = sum(
            1 for section in sections
            if section.term.start_date <= record.date <= section.term.end_date
            for meeting in section.meetings.all()
            if meeting.day == record.date.isoweekday()
            and (meeting.period == record.period
                 or (record.period is None and kind == AttendanceCode.Kind.ABSENT)))
        counts["classes_missed" if kind == AttendanceCode.Kind.ABSENT else "times_late"] += (
            classes)
    return counts


# The letters differ by language (Good's G is Très bien's T in French): each one written out
# here, so that makemessages finds it.
_RATING_LETTERS = {
    LearningSkillRating.Rating.EXCELLENT: pgettext_lazy("learning skill rating letter", "E"),
    LearningSkillRating.Rating.GOOD: pgettext_lazy("learning skill rating letter", "G"),
    LearningSkillRating.Rating.SATISFACTORY: pgettext_lazy("learning skill rating letter", "S"),
    LearningSkillRating.Rating.NEEDS_IMPROVEMENT: pgettext_lazy("learning skill rating letter",
                                                                "N"),
}


def _rating_letter(rating: str) -> str:
    return str(_RATING_LETTERS[rating])


def report_card_document(card: ReportCard, *, language: str = "fr") -> dict:
    """Everything the PDF shows, as plain values: rendering reads nothing else, and the
    same values give the same fingerprint (report_card_fingerprint)."""
    period, student, school = card.period, card.student, card.period.school
    headings, widths = _mark_columns(period.kind, card.grade)
    french = student.language == Student.Language.FRENCH or language == "fr"
    shown = [rating for rating in card.skills.all()
             if french or not rating.skill.french_language_only]

    def skill_name(skill: LearningSkill) -> str:
        return skill.name_fr if language == "fr" else skill.name_en

    # A secondary card rates each course (its own table); another, the whole card.
    skills = [] if period.is_secondary else [
        (skill_name(rating.skill), _rating_letter(rating.rating))
        for rating in shown if rating.line_id is None]
    course_skills = _course_skills(card, shown, skill_name) if period.is_secondary else None
    if period.kind == Kind.KINDERGARTEN:
        lines_heading, first_column = _("Key learning and growth in learning"), _("Frame")
    elif period.is_secondary:
        lines_heading, first_column = _("Courses"), _("Course")
    else:
        lines_heading, first_column = _("Subjects"), _("Subject")
    document = {
        "language": language,
        "board_name": settings.BOARD_NAME,
        "kind_label": period.get_kind_display(),
        "period_name": period.name,
        "school_year": period.school_year.name,
        "publication_date": long_date(period.publication_date),
        "title": f"{period.get_kind_display()} — {student.legal_first_name} "
                 f"{student.legal_last_name} — {period.name} {period.school_year.name}",
        "student_name": f"{student.legal_last_name}, {student.legal_first_name}",
        "niso": student.niso_display,
        "grade": card.get_grade_display(),
        "teacher": card.teacher_name,
        "principal": card.principal_name,
        "school_name": school.name,
        "school_address": ", ".join(school.address_lines),
        "school_phone": format_phone(school.phone),
        "days_absent": card.days_absent or 0,
        "times_late": card.times_late or 0,
        "skills": skills,
        "course_skills": course_skills,
        "skills_legend": _("E = Excellent, G = Good, S = Satisfactory, "
                           "N = Needs improvement") if skills or course_skills else "",
        "lines_heading": lines_heading,
        "column_headings": [first_column, *headings,
                            _("Comments")],
        "column_widths": widths,
        "lines": [{"code": line.course.code if line.course else "", "subject": line.subject,
                   "teacher": _("Teacher: %(name)s") % {"name": line.teacher_name}
                   if line.teacher_name else "",
                   "values": _line_values(period.kind, line), "comment": line.comment}
                  for line in card.lines.all()],
        "marks_legend": _("I = insufficient evidence; R = below level 1 (below 50 %).")
        if period.kind in (Kind.ELEMENTARY_PROVINCIAL, Kind.SECONDARY_MIDTERM,
                           Kind.SECONDARY_FINAL) else "",
        "comments": card.comments,
        "graduation": None,
    }
    if period.kind == Kind.SECONDARY_FINAL:
        literacy = {True: _("Met"), False: _("Not yet met"), None: "—"}
        document["graduation"] = {
            "credits": "—" if card.credits_earned_total is None
            else formats.number_format(card.credits_earned_total, 1),
            "hours": "—" if card.community_hours is None else str(card.community_hours),
            "literacy": literacy[card.literacy_requirement_met],
        }
    return document


def _course_skills(card: ReportCard, ratings: list[LearningSkillRating],
                   skill_name: Callable[[LearningSkill], str]) -> dict | None:
    """A secondary card's learning skills: a column per skill rated (the board's once the
    card is complete), a row per course with its letters (blank where not rated yet), the
    column widths (%); None when no course is rated."""
    by_line = {}
    for rating in ratings:
        if rating.line_id is not None:
            by_line.setdefault(rating.line_id, {})[rating.skill_id] = rating
    if not by_line:
        return None
    skills = sorted({rating.skill.pk: rating.skill for rated in by_line.values()
                     for rating in rated.values()}.values(),
                    key=lambda skill: (skill.order, skill.code))
    # Whole percentages (a decimal one would be written with the language's comma): the
    # course's about a quarter, each skill's 11 % for the board's seven.
    skill_width = 77 // len(skills)
    rows = []
    for line in card.lines.all():
        rated = by_line.get(line.pk, {})
        rows.append({
            "course": f"{line.course.code} — {line.subject}" if line.course else line.subject,
            "letters": [_rating_letter(rated[skill.pk].rating) if skill.pk in rated else ""
                        for skill in skills]})
    return {
        "headings": [skill_name(skill) for skill in skills],
        "column_widths": [100 - skill_width * len(skills), *[skill_width] * len(skills)],
        "rows": rows,
    }


def report_card_fingerprint(document: dict) -> str:
    """What a rendering shows, and the layout it used: equal fingerprints, equal PDFs."""
    payload = json.dumps(document, sort_keys=True, default=str) + rendering.layout_version()
    return hashlib.sha256(payload.encode()).hexdigest()


def report_card_current(card: ReportCard) -> tuple[dict, str]:
    """The card's document as publishing renders it, and its fingerprint. Built in French,
    the report cards' language (rendering.report_card_pdf's), whoever asks: staff's page
    in English compares with what the worker rendered. `card`: report_card_for_rendering's."""
    with translation.override("fr"):
        document = report_card_document(card)
    return document, report_card_fingerprint(document)


def report_card_status_for_staff(card: ReportCard) -> str:
    """The card's status; once published, whether parents see what it says now: an edit
    reaches them only when the period is published again (publishing renders it then)."""
    status = card.get_status_display()
    latest = card.files.order_by("-version").first()
    if latest is None or card.status == ReportCard.Status.QUEUED:
        return status
    if report_card_current(report_card_for_rendering(card.pk))[1] == latest.fingerprint:
        return status
    return _("%(status)s, changed since publication: parents see the published version "
             "(version %(version)s) until the period is published again.") % {
        "status": status, "version": latest.version}


# --- The marks each kind of report card uses ----------------------------------------------

MARK_FIELDS = ("progress", "letter_grade", "percentage", "course_median", "credit_earned")

# Each mark field as a sentence names it (wrong_marks).
_MARK_NAMES = {
    "progress": gettext_lazy("the progress"),
    "letter_grade": gettext_lazy("the letter grade"),
    "percentage": gettext_lazy("the percentage mark"),
    "course_median": gettext_lazy("the course median"),
    "credit_earned": gettext_lazy("the credit earned"),
}


@dataclass(frozen=True)
class LineMarks:
    """The marks a report card's lines carry, by its kind and grade: what publishing
    requires of each line (missing_marks) and all the admin accepts (wrong_marks)."""

    mark: str | None  # the field of the line's mark; None: comments only (kindergarten)
    insufficient_evidence: bool = False  # the letter I instead of a percentage
    required: tuple[str, ...] = ()  # the other fields every line needs
    optional: tuple[str, ...] = ()

    @property
    def used(self) -> set[str]:
        return {self.mark, *self.required, *self.optional} - {None}


def line_marks(kind: str, grade: int) -> LineMarks:
    if kind == Kind.KINDERGARTEN:
        return LineMarks(mark=None)
    if kind == Kind.ELEMENTARY_PROGRESS:
        return LineMarks(mark="progress")
    if kind == Kind.ELEMENTARY_PROVINCIAL and grade <= 6:
        return LineMarks(mark="letter_grade")
    if kind == Kind.ELEMENTARY_PROVINCIAL:
        return LineMarks(mark="percentage", insufficient_evidence=True)
    # I is for Grades 1 to 10; a midterm may already note a credit, the final must.
    if kind == Kind.SECONDARY_FINAL:
        return LineMarks(mark="percentage", insufficient_evidence=grade <= 10,
                         required=("course_median", "credit_earned"))
    return LineMarks(mark="percentage", insufficient_evidence=grade <= 10,
                     required=("course_median",), optional=("credit_earned",))


def _given(value) -> bool:
    return value is not None and value != ""


def _line_lacks(line: ReportCardLine, marks: LineMarks) -> list[str]:
    """The mark fields the line still lacks: its mark (I, insufficient evidence, stands for
    a percentage where the card allows it), then the required ones; none on a card of
    comments only."""
    if marks.mark is None:
        return []
    has_mark = (_given(getattr(line, marks.mark))
                or (marks.insufficient_evidence and line.letter_grade == "I"))
    lacking = [] if has_mark else [marks.mark]
    return lacking + [field for field in marks.required if not _given(getattr(line, field))]


def _line_complete(line: ReportCardLine, marks: LineMarks) -> bool:
    if marks.mark is None:
        return bool(line.comment)
    return not _line_lacks(line, marks)


def _line_missing(line: ReportCardLine, marks: LineMarks) -> str:
    """An incomplete line, by its subject and the marks it lacks: « Français (la médiane du
    cours et le crédit obtenu) », so that staff who typed the mark know what else is due."""
    if marks.mark is None:
        return line.subject  # a comment only
    names = get_text_list([str(_MARK_NAMES[field]) for field in _line_lacks(line, marks)],
                          _("and"))
    return f"{line.subject} ({names})"


def wrong_marks(line: ReportCardLine, marks: LineMarks) -> dict[str, str]:
    """The marks typed on the line that its report card does not use, by field, each with
    the sentence that says what the card uses instead, in the active language."""
    wrong = {}
    for field in MARK_FIELDS:
        value = getattr(line, field)
        if not _given(value):
            continue
        if marks.mark is None:
            wrong[field] = _("This report card has no marks, only comments.")
        elif field == "letter_grade" and value == "I" and marks.mark == "percentage":
            if not marks.insufficient_evidence:
                wrong[field] = _("I (insufficient evidence) is used up to Grade 10 only.")
        elif field not in marks.used:
            wrong[field] = _("This report card uses %(used)s, not %(given)s.") % {
                "used": _MARK_NAMES[marks.mark], "given": _MARK_NAMES[field]}
    return wrong


# --- What is missing before publishing -----------------------------------------------------

def missing_marks(card: ReportCard, *, skills: Iterable[LearningSkill] | None = None
                  ) -> list[str]:
    """What this card still needs before it can be published (empty: ready), in the
    reader's language: the lines without their mark (line_marks), then the learning skills
    not rated (every kind rates them but kindergarten's; a secondary card, for each
    course). `skills`: the board's, read once by a caller checking many cards."""
    kind = card.period.kind
    marks = line_marks(kind, card.grade)
    lines = list(card.lines.all())
    missing = [] if lines else [_("no subject or course")]
    missing.extend(_line_missing(line, marks) for line in lines
                   if not _line_complete(line, marks))
    if kind == Kind.KINDERGARTEN:
        return missing
    skills = list(LearningSkill.objects.all() if skills is None else skills)
    if card.period.is_secondary:
        missing.extend(_missing_course_skills(card, lines, skills))
    else:
        missing.extend(_missing_skills(card, skills))
    return missing


def _unrated(ratings: Iterable[LearningSkillRating], skills: list[LearningSkill]
             ) -> list[LearningSkill]:
    """Every skill must be rated, the French-only one too: report cards are rendered in
    French (report_card_document)."""
    rated = {rating.skill_id for rating in ratings}
    return [skill for skill in skills if skill.pk not in rated]


def _skill_name(skill: LearningSkill) -> str:
    return in_reader_language(skill.name_fr, skill.name_en)


def _missing_skills(card: ReportCard, skills: list[LearningSkill]) -> list[str]:
    """An elementary card's skills, rated for the whole card."""
    unrated = _unrated([rating for rating in card.skills.all() if rating.line_id is None],
                       skills)
    if unrated and len(unrated) == len(skills):
        return [_("the learning skills")]
    return [_("the learning skill %(skill)s") % {"skill": _skill_name(skill)}
            for skill in unrated]


def _missing_course_skills(card: ReportCard, lines: list[ReportCardLine],
                           skills: list[LearningSkill]) -> list[str]:
    """A secondary card's skills, rated for each course, by course; a rating for the whole
    card (entered before they were rated per course) is shown nowhere: staff delete it."""
    ratings = list(card.skills.all())
    missing = []
    for line in lines:
        unrated = _unrated([rating for rating in ratings if rating.line_id == line.pk],
                           skills)
        if unrated and len(unrated) == len(skills):
            missing.append(_("the learning skills of %(course)s") % {"course": line.subject})
        elif unrated:
            missing.append(_("%(course)s: %(skills)s") % {
                "course": line.subject,
                "skills": ", ".join(_skill_name(skill) for skill in unrated)})
    if any(rating.line_id is None for rating in ratings):
        missing.append(_("the deletion of the learning skills rated for the whole card (a "
                         "secondary card rates them per course)"))
    return missing


# --- Publication progress (admin) ---------------------------------------------------------

# The grades each kind of report card is for.
_KIND_GRADES = {
    Kind.KINDERGARTEN: [Grade.JUNIOR_KINDERGARTEN, Grade.SENIOR_KINDERGARTEN],
    Kind.ELEMENTARY_PROGRESS: list(range(Grade.GRADE_1, Grade.GRADE_8 + 1)),
    Kind.ELEMENTARY_PROVINCIAL: list(range(Grade.GRADE_1, Grade.GRADE_8 + 1)),
    Kind.SECONDARY_MIDTERM: list(range(Grade.GRADE_9, Grade.GRADE_12 + 1)),
    Kind.SECONDARY_FINAL: list(range(Grade.GRADE_9, Grade.GRADE_12 + 1)),
}

# The grades a school of each level may teach: an elementary school up to Grade 8, a
# secondary school from Grade 7 (a 7-12 school gives its Grades 7 and 8 elementary cards).
_LEVEL_GRADES = {
    Level.ELEMENTARY: range(Grade.JUNIOR_KINDERGARTEN, Grade.GRADE_8 + 1),
    Level.SECONDARY: range(Grade.GRADE_7, Grade.GRADE_12 + 1),
}


def kind_grades(kind: str) -> list[int]:
    """The grades a kind of report card is for."""
    return _KIND_GRADES[kind]


def kinds_for_level(level: str) -> list[str]:
    """The kinds of report card a school of this level issues: those for its grades."""
    return [kind for kind, grades in _KIND_GRADES.items()
            if set(grades) & set(_LEVEL_GRADES[level])]


def parents_see_from(period: ReportingPeriod, *, today: date | None = None) -> str:
    """When parents see the period's report cards, as staff read it before and after
    publishing: its publication date, or at once once it has passed."""
    if period.publication_date > (today or timezone.localdate()):
        return _("Parents will see these report cards from %(date)s.") % {
            "date": long_date(period.publication_date)}
    return _("Parents will see these report cards as soon as they are rendered.")


def cards_to_publish(period: ReportingPeriod) -> QuerySet[ReportCard]:
    """The period's report cards with what missing_marks and the rendering read."""
    return period.report_cards.select_related(
        "period__school", "period__school_year", "student").prefetch_related(
        "lines__course", "skills__skill")


def missing_reason(missing: list[str]) -> str:
    """What a card misses, as its status reason says it (missing_marks' list)."""
    return _("Missing: %(what)s") % {"what": get_text_list(missing, _("and"))}


@dataclass(frozen=True)
class PublicationCheck:
    """What publishing a period would do, for staff to confirm before they do it."""

    period: ReportingPeriod
    ready: int  # the complete cards, each rendered if new or changed
    incomplete: list[tuple[ReportCard, str]]  # the cards left out, with what they miss
    without_card: list[Student]
    parents_see: str


def publication_check(period: ReportingPeriod) -> PublicationCheck:
    """For staff of the period's school (the admin has scoped the period)."""
    skills = list(LearningSkill.objects.all())
    ready, incomplete = 0, []
    for card in cards_to_publish(period).order_by("student__legal_last_name",
                                                  "student__legal_first_name"):
        if missing := missing_marks(card, skills=skills):
            incomplete.append((card, missing_reason(missing)))
        else:
            ready += 1
    return PublicationCheck(period=period, ready=ready, incomplete=incomplete,
                            without_card=list(students_without_card(period)),
                            parents_see=parents_see_from(period))


def students_without_card(period: ReportingPeriod) -> QuerySet[Student]:
    """The school's active students in the grades the period's kind is for who have no
    report card for it: publishing cannot leave them out in silence. For staff of the
    period's school (the admin has scoped the period)."""
    return (Student.objects.filter(school=period.school_id, status=Student.Status.ACTIVE,
                                   grade__in=_KIND_GRADES[period.kind])
            .exclude(report_cards__period=period)
            .order_by("legal_last_name", "legal_first_name", "pk"))


@dataclass(frozen=True)
class PublicationProgress:
    total: int
    rendered: int
    queued: int
    failed: list[ReportCard]
    incomplete: list[ReportCard]
    without_card: list[Student]

    @property
    def remaining(self) -> int:
        return self.queued


def publication_progress(period: ReportingPeriod) -> PublicationProgress:
    counts = dict(period.report_cards.values_list("status").annotate(n=Count("pk"))
                  .values_list("status", "n"))
    problems = list(period.report_cards.filter(
        status__in=[ReportCard.Status.FAILED, ReportCard.Status.INCOMPLETE])
        .select_related("student").order_by("student__legal_last_name"))
    return PublicationProgress(
        total=sum(counts.values()),
        rendered=counts.get(ReportCard.Status.RENDERED, 0),
        queued=counts.get(ReportCard.Status.QUEUED, 0),
        failed=[card for card in problems if card.status == ReportCard.Status.FAILED],
        incomplete=[card for card in problems if card.status == ReportCard.Status.INCOMPLETE],
        without_card=list(students_without_card(period)),
    )


# --- What parents see ---------------------------------------------------------------------

RECENT_DAYS = 30  # the home page's "recently published"


# What the pages and the file name show of a file, its card and its period; the student is
# the caller's (resolved through students.selectors), not joined again.
_FILE_COLUMNS = (
    "card_id", "version", "size", "file", "created_at", "card__public_id", "card__student_id",
    "card__period__kind", "card__period__name", "card__period__publication_date",
    "card__period__school__level", "card__period__school__code",
    "card__period__school_year__name",
)


def _files_of_students(students: list[Student], today: date) -> QuerySet[ReportCardFile]:
    """Every version of these students' report cards that parents may see today, with what
    names them but the student (the caller's, resolved through students.selectors).

    A family's versions are few: the latest of each card is picked from them in Python
    (_latest_of_each_card), which costs less to build than a "no newer version" anti-join."""
    return (ReportCardFile.objects
            .filter(card__student__in=[student.pk for student in students],
                    card__period__published_at__isnull=False,
                    card__period__publication_date__lte=today)
            .select_related("card__period__school_year", "card__period__school")
            .only(*_FILE_COLUMNS))


def _latest_of_each_card(files: Iterable[ReportCardFile], students: list[Student]
                         ) -> list[ReportCardFile]:
    """The first file of each card (the query orders each card's versions newest first),
    each with its student."""
    by_pk = {student.pk: student for student in students}
    latest = {}
    for stored in files:
        if stored.card_id not in latest:
            stored.card.student = by_pk[stored.card.student_id]
            latest[stored.card_id] = stored
    return list(latest.values())


# The home page's files of a family's recent report cards: the ORM compiles the query once
# per number of children, day and span (portail.compiled); the rows are read on every call.
RECENT_FILES = CompiledQuery(
    lambda pks, today, days: (
        _files_of_students([Student(pk=pk) for pk in pks], today)
        .filter(card__period__publication_date__gt=today - timedelta(days=days))
        .order_by("-card__period__publication_date", "-card__period__pk", "card__student_id",
                  "card_id", "-version")),
    keys=16,
)


def recent_report_card_files(children: Iterable[Student], *, days: int = RECENT_DAYS,
                             today: date | None = None) -> list[ReportCardFile]:
    """The home page's documents: the report cards published in the last `days` days for
    these children, newest first, each with its `filename`. One query whatever the numbers.
    The caller has resolved the children through students.selectors (their names and OEN
    name the files)."""
    if not (children := list(children)):
        return []
    files = RECENT_FILES.rows(tuple(child.pk for child in children),
                              today or timezone.localdate(), days)
    return _named_and_linked(_latest_of_each_card(files, children))


def _named_and_linked(entries: list[ReportCardFile]) -> list[ReportCardFile]:
    """Each entry's `filename` and links (download, print, the child's Documents tab), from
    one reverse() per kind of link."""
    download = path_maker("students:documents:report_card_download", "public_id", "card_id")
    printable = path_maker("students:documents:report_card_print", "public_id", "card_id")
    listed = path_maker("students:documents:list", "public_id")
    for stored in entries:
        ids = {"public_id": stored.card.student.public_id, "card_id": stored.card.public_id}
        stored.filename = report_card_filename(stored.card)
        stored.download_url, stored.print_url = download(**ids), printable(**ids)
        stored.list_url = listed(public_id=ids["public_id"])
    return entries


# The Documents tab's and the downloads' reads, one student's (the caller's, resolved
# through students.selectors): the ORM compiles each once per process and day with a
# marker for the student's id (portail.compiled); the rows are read on every request.
# Each card's files with the card, its period and what names it, newest first (by school
# year, then publication), each card's newest version first.
_STUDENT_FILES = CompiledQuery(
    lambda student_id, today: ReportCardFile.objects.filter(
        card__student=student_id, card__period__published_at__isnull=False,
        card__period__publication_date__lte=today,
    ).order_by("-card__period__school_year__start_date", "-card__period__publication_date",
               "-card__period__pk", "card_id", "-version"),
    related=("card__period__school", "card__period__school_year"))


def _latest_files(student: Student, today: date) -> list[ReportCardFile]:
    """The latest file of each of the student's report cards that parents may see today,
    newest first (by school year, then publication), each with its card, period and
    student."""
    latest: dict[int, ReportCardFile] = {}
    for stored in _STUDENT_FILES.rows(student.pk, today):
        if stored.card_id not in latest:
            stored.card.student = student
            latest[stored.card_id] = stored
    return list(latest.values())


@lru_cache(maxsize=8)
def _tab_paths(script_prefix: str) -> tuple[Callable[..., str], ...]:
    """The Documents tab's links (a report card's download and print, a form's), reversed
    once per process for the script prefix reverse() uses."""
    return (path_maker("students:documents:report_card_download", "public_id", "card_id"),
            path_maker("students:documents:report_card_print", "public_id", "card_id"),
            path_maker("students:documents:form_file", "public_id", "form_id"))


def report_card_entries(student: Student, *, today: date | None = None
                        ) -> list[ReportCardFile]:
    """The Documents tab's list: the latest file of each of the student's published
    report cards, every year, newest first, each with the `filename` parents will save
    and its links. The caller has resolved the student through students.selectors."""
    entries = _latest_files(student, today or timezone.localdate())
    download, printable, _form = _tab_paths(get_script_prefix())
    for stored in entries:
        ids = {"public_id": student.public_id, "card_id": stored.card.public_id}
        stored.filename = report_card_filename(stored.card)
        stored.download_url, stored.print_url = download(**ids), printable(**ids)
    return entries


def report_card_file_for_parent(user, student_public_id: UUID | str,
                                card_public_id: UUID | str) -> ReportCardFile:
    """The latest file of one of the student's visible report cards; else 404."""
    student = student_selectors.student_for_parent(user, student_public_id)
    wanted = str(card_public_id)
    found = next((stored for stored in _latest_files(student, timezone.localdate())
                  if str(stored.card.public_id) == wanted), None)
    if found is None:
        raise Http404
    return found


def _shown_forms(school_id: int) -> QuerySet[BoardForm]:
    return BoardForm.objects.filter(Q(school__isnull=True) | Q(school=school_id),
                                    is_shown=True).order_by("title_fr")


# Compiled once per process with a marker for the school's id; staff's changes show on
# the next request (the rows are read every time).
_SCHOOL_FORMS = CompiledQuery(_shown_forms)


def forms_for(student: Student) -> QuerySet[BoardForm]:
    """The board's forms and the student's school's, shown to parents."""
    return _shown_forms(student.school_id)


def form_entries(student: Student) -> list[BoardForm]:
    """The Documents tab's forms, each with its link."""
    path = _tab_paths(get_script_prefix())[2]
    forms = _SCHOOL_FORMS.rows(student.school_id)
    for form in forms:
        form.url = path(public_id=student.public_id, form_id=form.public_id)
    return forms


def form_for_parent(user, student_public_id: UUID | str, form_public_id: UUID | str
                    ) -> BoardForm:
    student = student_selectors.student_for_parent(user, student_public_id)
    found = forms_for(student).filter(public_id=form_public_id).first()
    if found is None:
        raise Http404
    return found
