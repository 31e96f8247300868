"""What every PDF that parents download is checked for, whoever uploads it (a school form,
an announcement's attachment): no script."""

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# /XFA: an XML form (deprecated since PDF 2.0) whose fields may carry scripts of their own.
SCRIPT_KEYS = {"/JS", "/JavaScript", "/Launch", "/XFA"}


def _has_script(value, seen: set[int]) -> bool:
    if isinstance(value, IndirectObject):
        if value.idnum in seen:
            return False
        seen.add(value.idnum)
        value = value.get_object()
    if isinstance(value, DictionaryObject):
        if SCRIPT_KEYS & set(value.keys()):
            return True
        if value.get("/S") in ("/JavaScript", "/Launch"):
            return True
        return any(_has_script(item, seen) for item in value.values())
    if isinstance(value, ArrayObject):
        return any(_has_script(item, seen) for item in value)
    return False


def has_script(reader: PdfReader) -> bool:
    """Walk the PDF's objects for a script: /JS, /JavaScript, an action that launches, an
    XFA form. pypdf's errors on a damaged file are the caller's to turn into a message."""
    return _has_script(reader.trailer, set())
