"""Famille › Relevé de notes: the transcript, and the diploma's requirements with charts.

Secondary students only: for anyone else, and for a child the parent may not see, a 404
(students.selectors decides who sees whom). Each page's content is cached in the process
under the digest of what it shows (`StudentRecord.fingerprint`): the engine and the charts
run only when something changed.
"""

from functools import cached_property

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from diplomas import charts, selectors
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
                      record=selectors.student_record(student))


class RequirementsSummary:
    """What the requirements page draws, worked out when the template first reads it."""

    def __init__(self, record: selectors.StudentRecord) -> None:
        self.progress = record.progress

    @cached_property
    def categories(self) -> list:
        return [(category, charts.bar(required=category.required, earned=category.earned,
                                      waived=category.waived,
                                      in_progress=category.in_progress))
                for category in self.progress.categories]

    @cached_property
    def overall(self) -> list[charts.Segment]:
        progress = self.progress
        return charts.bar(required=progress.required, earned=progress.earned,
                          waived=progress.waived, in_progress=progress.in_progress)

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
    record = selectors.student_record(student)
    if record.programme is None:
        raise Http404
    return child_page(request, "diplomas/diploma.html", "transcript", student, children,
                      record=record, summary=RequirementsSummary(record))
