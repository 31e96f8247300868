"""What every PDF that parents download is checked for, whoever uploads it (a school form,
an announcement's attachment): no script, and no file carried inside it."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# /XFA: an XML form (deprecated since PDF 2.0) whose fields may carry scripts of their own.
SCRIPT_KEYS = {"/JS", "/JavaScript", "/Launch", "/XFA"}
SCRIPT_ACTIONS = {"/JavaScript", "/Launch"}
# A file inside the PDF (a program, another document) that the reader's viewer opens from
# it: /EmbeddedFiles in the name tree, /EF in a file's specification (a file attachment
# annotation), /GoToE the action that opens one.
EMBEDDED_FILE_KEYS = {"/EmbeddedFiles", "/EF"}
EMBEDDED_FILE_ACTIONS = {"/GoToE"}

REFUSALS = {
    "pdf_script": _("This PDF contains a script (JavaScript): it is refused."),
    "pdf_embedded_file": _("This PDF carries files inside it (attachments): it is refused. "
                           "Save it again without them."),
}


def _refusal(value, seen: set[int]) -> str | None:
    if isinstance(value, IndirectObject):
        if value.idnum in seen:
            return None
        seen.add(value.idnum)
        value = value.get_object()
    if isinstance(value, DictionaryObject):
        keys, action = set(value.keys()), value.get("/S")
        if SCRIPT_KEYS & keys or action in SCRIPT_ACTIONS:
            return "pdf_script"
        if EMBEDDED_FILE_KEYS & keys or action in EMBEDDED_FILE_ACTIONS:
            return "pdf_embedded_file"
        items = value.values()
    elif isinstance(value, ArrayObject):
        items = value
    else:
        return None
    return next((found for item in items if (found := _refusal(item, seen))), None)


def pdf_content_check(reader: PdfReader) -> None:
    """Walk the PDF's objects for a script (/JS, /JavaScript, an action that launches, an
    XFA form) or a file inside it: a ValidationError with its French message and code.
    pypdf's errors on a damaged file are the caller's to turn into a message."""
    if found := _refusal(reader.trailer, set()):
        raise ValidationError(REFUSALS[found], code=found)
