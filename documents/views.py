"""Famille › Documents: a child's report cards of every year and the forms that apply.

Every view resolves the student through students.selectors (documents.selectors does);
another family's student or document is a 404. Files come from private storage, never
from a public URL, and no cache keeps them.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from documents import selectors
from students import selectors as student_selectors
from students.views import child_page


@login_required
def documents(request: HttpRequest, public_id) -> HttpResponse:
    student, children = student_selectors.student_among_children(request.user, public_id)
    return child_page(request, "documents/documents.html", "documents", student, children,
                       report_cards=selectors.report_card_entries(student),
                       forms=selectors.form_entries(student))


def _private_pdf(stored_file, filename: str, *, attachment: bool) -> FileResponse:
    try:
        content = stored_file.open("rb")
    except FileNotFoundError as missing:  # named in the database, gone from storage
        raise Http404 from missing
    # FileResponse writes the name both ways (RFC 6266 and RFC 5987) for accents.
    response = FileResponse(content, content_type="application/pdf", as_attachment=attachment,
                            filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def report_card_download(request: HttpRequest, public_id, card_id) -> FileResponse:
    stored = selectors.report_card_file_for_parent(request.user, public_id, card_id)
    return _private_pdf(stored.file, selectors.report_card_filename(stored.card),
                        attachment=True)


@login_required
def report_card_print(request: HttpRequest, public_id, card_id) -> FileResponse:
    """The same file, inline: the browser's PDF viewer opens it to print."""
    stored = selectors.report_card_file_for_parent(request.user, public_id, card_id)
    return _private_pdf(stored.file, selectors.report_card_filename(stored.card),
                        attachment=False)


@login_required
def form_file(request: HttpRequest, public_id, form_id) -> FileResponse:
    form = selectors.form_for_parent(request.user, public_id, form_id)
    return _private_pdf(form.file, selectors.file_name_safe(form.title_fr) + ".pdf",
                        attachment=True)
