"""Famille › Relevé de notes: the transcript, and the diploma's requirements with charts.

Secondary students only: for anyone else, and for a child the parent may not see, a 404
(students.selectors decides who sees whom, on every request). Both pages read the
student's stored row (diplomas.services.store_releve computes it when missing or outdated);
each page's content is cached in the process under the digest of that row.
"""

from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from diplomas import charts, selectors, services
from students import selectors as student_selectors
from students.models import Student
from students.views import child_page


def _secondary_child(request: HttpRequest, public_id) -> tuple[Student, list[Student]]:
    student, children = student_selectors.student_among_children(request.user, public_id)
    if not student.is_secondary:
        raise Http404
    return student, children


@login_required
def transcript(request: HttpRequest, public_id) -> HttpResponse:
    """Diplôme/Certificat (the programme's name links to its requirements), then the
    Répertoire des crédits complétés and this year's courses."""
    student, children = _secondary_child(request, public_id)
    return child_page(request, "diplomas/transcript.html", "transcript", student, children,
                      record=_releve(student))


def _releve(student: Student) -> selectors.Releve:
    return selectors.stored_releve(student) or services.store_releve(student)


@dataclass(frozen=True)
class CourseRow:
    code: str
    title: str
    school_year: str
    mark: str
    credit: str


@dataclass(frozen=True)
class Section:
    """A chart with its figures in words and the table of its courses, as shown."""

    name: str
    label: str  # the chart's figures in a sentence (its accessible name)
    segments: list[charts.Segment]
    figures: list[tuple[str, str]]
    rows: list[CourseRow]


def _rows(lines) -> list[CourseRow]:
    """The table under a chart: `line.key` is the stored line (selectors.CountedLine)."""
    rows = []
    for line in lines:
        counted = line.key
        mark = (_("In progress") if counted.in_progress
                else "—" if counted.mark is None else str(counted.mark))
        rows.append(CourseRow(counted.code, counted.title, counted.school_year, mark,
                              selectors.number(line.credit)))
    return rows


@lru_cache(maxsize=8)
def _figure_terms(language: str) -> tuple[str, ...]:  # language: the active one, gettext's
    return (_("Credits required"), _("Earned"), _("In progress"), _("Waived"), _("Remaining"))


def _figures(item) -> list[tuple[str, str]]:
    values = (item.required, item.earned, item.in_progress, item.waived, item.remaining)
    return list(zip(_figure_terms(get_language()), map(selectors.number, values), strict=True))


def _label(item, name: str | None = None) -> str:
    """A chart's text, which a screen reader says for it. French agrees with what is earned
    (« 1 crédit obtenu sur 4 », « 2 crédits obtenus sur 4 »), English with the total."""
    n = selectors.number
    values = {"name": name, "earned": n(item.earned), "required": n(item.required),
              "in_progress": n(item.in_progress)}
    number = selectors.plural_of(item.earned)
    if name is None:
        return ngettext("%(earned)s of %(required)s credits earned, %(in_progress)s in progress",
                        "%(earned)s of %(required)s credits earned, %(in_progress)s in progress",
                        number) % values
    return ngettext(
        "%(name)s: %(earned)s of %(required)s credits earned, %(in_progress)s in progress",
        "%(name)s: %(earned)s of %(required)s credits earned, %(in_progress)s in progress",
        number) % values


class RequirementsSummary:
    """What the requirements page draws, worked out when the template first reads it (in
    Python: the page has a chart, figures and a table per category)."""

    def __init__(self, record: selectors.Releve) -> None:
        self.record = record

    @cached_property
    def progress(self):
        return self.record.progress

    @cached_property
    def overall(self) -> Section:
        progress = self.progress
        return Section(
            name=_("All credits"),
            label=_label(progress),
            segments=charts.bar(required=progress.required, earned=progress.earned,
                                waived=progress.waived, in_progress=progress.in_progress),
            figures=_figures(progress), rows=[])

    @cached_property
    def categories(self) -> list[Section]:
        return [Section(
            name=category.rule.key.name,
            label=_label(category, category.rule.key.name),
            segments=charts.bar(required=category.required, earned=category.earned,
                                waived=category.waived, in_progress=category.in_progress),
            figures=_figures(category),
            rows=_rows(category.courses + category.forecast_courses))
            for category in self.progress.categories]

    @cached_property
    def excess(self) -> list[CourseRow]:
        return _rows(self.progress.excess + self.progress.excess_in_progress)

    @cached_property
    def requirements(self) -> list:
        return [(selectors.REQUIREMENT_TITLES[r.name], r,
                 charts.bar(required=r.required, earned=r.required if r.met else r.done,
                            in_progress=r.in_progress),
                 selectors.requirement_status(r))
                for r in self.progress.requirements]

    @cached_property
    def missing(self) -> list[str]:
        return selectors.still_missing(self.progress)

    @cached_property
    def missing_if_passed(self) -> list[str]:
        return selectors.still_missing(self.progress, if_passed=True)


@login_required
def diploma(request: HttpRequest, public_id) -> HttpResponse:
    """The summary of the diploma's requirements: a chart and a table per category."""
    student, children = _secondary_child(request, public_id)
    record = _releve(student)
    if record.programme is None:
        raise Http404
    return child_page(request, "diplomas/diploma.html", "transcript", student, children,
                      record=record, summary=RequirementsSummary(record))
