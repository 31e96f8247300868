"""Famille › Relevé de notes: the transcript, and the diploma's requirements with charts.

Secondary students only: for anyone else, and for a child the parent may not see, a 404
(students.selectors decides who sees whom).
"""

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


@login_required
def diploma(request: HttpRequest, public_id) -> HttpResponse:
    """The summary of the diploma's requirements: a chart and a table per category."""
    student, children = _secondary_child(request, public_id)
    record = selectors.student_record(student)
    if record.progress is None:
        raise Http404
    progress = record.progress
    categories = [
        (category, charts.bar(required=category.required, earned=category.earned,
                              waived=category.waived, in_progress=category.in_progress))
        for category in progress.categories
    ]
    return child_page(
        request, "diplomas/diploma.html", "transcript", student, children, record=record,
        progress=progress, categories=categories,
        overall=charts.bar(required=progress.required, earned=progress.earned,
                           waived=progress.waived, in_progress=progress.in_progress),
        requirements=[
            (selectors.REQUIREMENT_TITLES[r.name], r,
             charts.bar(required=r.required, earned=r.required if r.met else r.done,
                        in_progress=r.in_progress),
             selectors.requirement_status(r))
            for r in progress.requirements
        ],
        missing=selectors.still_missing(progress),
        missing_if_passed=selectors.still_missing(progress, if_passed=True),
    )
