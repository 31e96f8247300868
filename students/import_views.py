"""The start-of-year import pages, in the admin's look, at /admin/importation/.

Upload (the file's encoding, columns and size checked at once) → a job that a Celery task
checks row by row; its page refreshes itself until the preview of every row is there →
"Confirmer l'importation", which has the task import that same file (its SHA-256), all or
nothing. The job's page is its author's only (anyone else gets a 404).
"""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from students.imports import (
    KINDS,
    MAX_FILE_BYTES,
    Boolean,
    Choice,
    Date,
    Decimal,
    ImportFileError,
    ImportKind,
    Integer,
    csv_decode,
    csv_read,
    import_job_confirm,
    import_job_create,
    import_job_interrupted,
    kinds_for,
)
from students.models import ImportJob
from students.tasks import import_job_task

app_name = "imports"

REFRESH_SECONDS = 2
STATUS_LABELS = {"new": gettext_lazy("New"), "update": gettext_lazy("Update"),
                 "error": gettext_lazy("Error")}
# What to write in a column, when its kind of value does not say enough.
COLUMN_HELP = {
    "numero_ministere": gettext_lazy("The school's six-digit ministry number."),
    "code": gettext_lazy("The school's short code (EEPTB), or the course code (MTH1W)."),
    "niso": gettext_lazy("The student's OEN: 9 digits, with or without hyphens."),
    "ecole": gettext_lazy("The school's short code, for example EEPTB."),
    "annee": gettext_lazy("The grade: -1 junior kindergarten, 0 senior kindergarten, "
                          "then 1 to 12."),
    "annee_scolaire": gettext_lazy("The school year, for example 2026-2027."),
    "etape": gettext_lazy("The term's code at that school, for example S1."),
    "cours": gettext_lazy("The course code, for example MTH1W."),
    "code_postal": gettext_lazy("For example K1G 6C3."),
    "telephone": gettext_lazy("10 digits, for example 613 555-0123."),
    "telephone_principal": gettext_lazy("10 digits, for example 613 555-0123."),
    "motif_acces_ferme": gettext_lazy("Required when portal access is “non”."),
    "garde": gettext_lazy("oui or non; empty: non. With custody (or access rights), the "
                          "guardian sees the student on the portal."),
    "signaler_absences": gettext_lazy("oui or non; empty: non. For a guardian without "
                                      "custody: may report the student's absences on the "
                                      "portal."),
}


def _describe(name: str, parse) -> str:
    if name in COLUMN_HELP:
        return str(COLUMN_HELP[name])
    if isinstance(parse, Choice):
        return ", ".join(f"{code} ({label})" for code, label in parse.choices)
    kinds = {Boolean: gettext_lazy("oui or non"), Date: gettext_lazy("YYYY-MM-DD"),
             Integer: gettext_lazy("A whole number."), Decimal: gettext_lazy("A number.")}
    return str(next((text for kind, text in kinds.items() if isinstance(parse, kind)), ""))


def _columns(kind: ImportKind) -> list[tuple[str, bool, str]]:
    """(column, required, what to write) for the page's documentation."""
    importer = kind.importer
    parsers = {column.name: column.parse for column in
               [*importer.columns, *getattr(importer, "guardian_columns", ())]}
    return [(name, name in importer.required, _describe(name, parsers.get(name)))
            for name in importer.column_names()]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of file"))
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8 or Excel's CSV, with a header row; commas or "
                               "semicolons."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, kinds: dict[str, ImportKind], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(name, kind.label) for name, kind in kinds.items()]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Choose a .csv file (the name ends with .csv)."),
                                        code="not_csv")
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is too large (over %(size)d MB): split it, for example one "
                  "file per school.") % {"size": MAX_FILE_BYTES // (1024 * 1024)},
                code="too_large")
        try:
            self.text = csv_decode(upload.read())
        except ImportFileError as error:
            raise forms.ValidationError(str(error), code="not_csv") from None
        return upload

    def clean(self):
        """The file as a whole (header, columns, number of rows), before any task."""
        if "kind" in self.cleaned_data and "file" in self.cleaned_data:
            try:
                csv_read(self.text, KINDS[self.cleaned_data["kind"]].importer)
            except ImportFileError as error:
                self.add_error("file", str(error))
        return self.cleaned_data


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, f"admin/imports/{template}", {
        **admin.site.each_context(request),
        "title": _("Start-of-year import"),
        **context,
    })


def upload(request: HttpRequest) -> HttpResponse:
    kinds = kinds_for(request.user)
    if not kinds:
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(user=request.user, kind=form.cleaned_data["kind"],
                                file_name=form.cleaned_data["file"].name, text=form.text)
        transaction.on_commit(partial(import_job_task.delay, job.pk))
        return redirect("imports:job", pk=job.pk)
    return _page(request, "upload.html", {
        "form": form,
        "docs": [(kind.label, _columns(kind)) for kind in kinds.values()],
    })


def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk, created_by=request.user)
    kinds = kinds_for(request.user)
    if job.kind not in kinds:
        raise PermissionDenied
    if request.method == "POST":
        if import_job_confirm(job=job, sha256=request.POST.get("sha256", "")):
            transaction.on_commit(partial(import_job_task.delay, job.pk))
        else:
            job.refresh_from_db()
            if not job.confirmed:
                messages.error(request, _("This preview has expired: upload the file again."))
                return redirect("imports:upload")
            # Confirmed already (a double click, or Back): the one import goes on.
        return redirect("imports:job", pk=job.pk)
    interrupted = import_job_interrupted(job)
    working = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    # A confirmed run checks the rows again, then writes them: two steps of rows_total.
    steps = job.rows_total * (2 if job.confirmed else 1)
    return _page(request, "job.html", {
        "job": job, "kind": kinds[job.kind], "interrupted": interrupted,
        "working": working and not interrupted, "refresh": REFRESH_SECONDS,
        "percent": min(100, job.rows_done * 100 // steps) if steps else 0,
        "rows": [(line, status, STATUS_LABELS[status], summary, errors)
                 for line, status, summary, errors in job.rows],
        "done": _("Import done: %(new)d new, %(updated)d updated.") % {
            "new": job.new_count, "updated": job.update_count},
        "more_rows": job.rows_total - len(job.rows),
    })


def _in_admin(view):
    """The admin's own gate (login, staff, whatever the admin site requires)."""
    def in_admin(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return admin.site.admin_view(view)(request, *args, **kwargs)
    return in_admin


urlpatterns = [
    path("", _in_admin(upload), name="upload"),
    path("<int:pk>/", _in_admin(job_page), name="job"),
]
