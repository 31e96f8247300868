"""The start-of-year import page, in the admin's look, at /admin/importation/.

Upload → preview of every row (a dry run) → "Confirmer l'importation", which imports the
same file, signed into the preview page so that nothing is kept on the server meanwhile.
"""

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from students.imports import (
    MAX_FILE_BYTES,
    Boolean,
    Choice,
    Date,
    Decimal,
    ImportFileError,
    ImportKind,
    ImportReport,
    Integer,
    csv_decode,
    import_run,
    kinds_for,
)

app_name = "imports"

PREVIEW_MAX_AGE = 2 * 3600  # seconds between the preview and the confirmation
STATUS_LABELS = {"new": gettext_lazy("New"), "update": gettext_lazy("Update"),
                 "error": gettext_lazy("Error")}
# What to write in a column, when its kind of value does not say enough.
COLUMN_HELP = {
    "numero_ministere": gettext_lazy("The school's six-digit ministry number."),
    "code": gettext_lazy("The school's short code (E001), or the course code (MTH1W)."),
    "niso": gettext_lazy("The student's OEN: 9 digits, with or without hyphens."),
    "ecole": gettext_lazy("The school's short code, for example E001."),
    "annee": gettext_lazy("The grade: -1 junior kindergarten, 0 senior kindergarten, "
                          "then 1 to 12."),
    "annee_scolaire": gettext_lazy("The school year, for example 2026-2027."),
    "etape": gettext_lazy("The term's code at that school, for example S1."),
    "cours": gettext_lazy("The course code, for example MTH1W."),
    "code_postal": gettext_lazy("For example K1G 6C3."),
    "telephone": gettext_lazy("10 digits, for example 613 555-0123."),
    "telephone_principal": gettext_lazy("10 digits, for example 613 555-0123."),
    "motif_acces_ferme": gettext_lazy("Required when portal access is “non”."),
}


def _describe(name: str, widget) -> str:
    if name in COLUMN_HELP:
        return str(COLUMN_HELP[name])
    if isinstance(widget, Choice):
        return ", ".join(f"{code} ({label})" for code, label in widget.choices)
    kinds = {Boolean: gettext_lazy("oui or non"), Date: gettext_lazy("YYYY-MM-DD"),
             Integer: gettext_lazy("A whole number."), Decimal: gettext_lazy("A number.")}
    return str(next((text for kind, text in kinds.items() if isinstance(widget, kind)), ""))


def _columns(kind: ImportKind) -> list[tuple[str, bool, str]]:
    """(column, required, what to write) for the page's documentation."""
    resource = kind.resource
    widgets = {f.column_name: f.widget for f in resource.fields.values()}
    widgets.update({name: widget for name, (_a, widget) in
                    getattr(resource, "GUARDIAN_COLUMNS", {}).items()})
    return [(name, name in resource.required_columns, _describe(name, widgets.get(name)))
            for name in resource.columns()]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of file"))
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8, with a header row; commas or semicolons."),
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


def _salt(request: HttpRequest) -> str:
    return f"students.import:{request.user.pk}"


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, f"admin/imports/{template}", {
        **admin.site.each_context(request),
        "title": _("Start-of-year import"),
        "status_labels": STATUS_LABELS,
        **context,
    })


def _preview(request: HttpRequest, *, kind: ImportKind, file_name: str,
             report: ImportReport, payload: str = "") -> HttpResponse:
    return _page(request, "preview.html", {"kind": kind, "file_name": file_name,
                                           "report": report, "payload": payload})


def _confirm(request: HttpRequest, kinds: dict[str, ImportKind]) -> HttpResponse:
    try:
        upload = signing.loads(request.POST.get("payload", ""), salt=_salt(request),
                               max_age=PREVIEW_MAX_AGE)
    except signing.BadSignature:
        messages.error(request, _("This preview has expired: upload the file again."))
        return redirect("imports:upload")
    if upload["kind"] not in kinds:
        raise PermissionDenied
    try:
        report = import_run(kind=upload["kind"], text=upload["text"],
                            file_name=upload["name"], user=request.user, dry_run=False)
    except ImportFileError as error:
        messages.error(request, str(error))
        return redirect("imports:upload")
    if not report.imported:
        # The data changed since the preview: show why, nothing was imported.
        messages.error(request, _("Nothing was imported: some rows are no longer valid."))
        return _preview(request, kind=kinds[upload["kind"]], file_name=upload["name"],
                        report=report)
    messages.success(request, _("Import done: %(new)d new, %(updated)d updated.") % {
        "new": report.new_count, "updated": report.update_count})
    return redirect("imports:upload")


def upload(request: HttpRequest) -> HttpResponse:
    kinds = kinds_for(request.user)
    if not kinds:
        raise PermissionDenied
    if request.method == "POST" and "payload" in request.POST:
        return _confirm(request, kinds)
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        kind, name = form.cleaned_data["kind"], form.cleaned_data["file"].name
        try:
            report = import_run(kind=kind, text=form.text, file_name=name, user=request.user,
                                dry_run=True)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            payload = "" if report.error_count else signing.dumps(
                {"kind": kind, "name": name, "text": form.text}, salt=_salt(request),
                compress=True)
            return _preview(request, kind=kinds[kind], file_name=name, report=report,
                            payload=payload)
    return _page(request, "upload.html", {
        "form": form,
        "docs": [(kind.label, _columns(kind)) for kind in kinds.values()],
    })


def _in_admin(view):
    """The admin's own gate (login, staff, whatever the admin site requires)."""
    def in_admin(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return admin.site.admin_view(view)(request, *args, **kwargs)
    return in_admin


urlpatterns = [
    path("", _in_admin(upload), name="upload"),
]
