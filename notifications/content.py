"""What staff put in an announcement, made safe for parents' pages.

The body is Markdown rendered to HTML, then cleaned by nh3 (a maintained sanitiser): no
script, no inline style, no frame; links only http(s) and mailto, each marked noopener;
images only from this site. Attachments are PDFs and images, recognised by their content
(magic bytes, then parsed), not by their name.
"""

import io
import re
import secrets
from dataclasses import dataclass

import markdown
import nh3
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from portail.pdfs import pdf_content_check

ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "img",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt"}, "abbr": {"title"}}


# A path on this site: not "//host", nor "/\host" or "/<tab>/host", which browsers read as
# "//host" once they have turned the backslash into a slash and dropped the whitespace.
SAME_SITE_PATH = re.compile(r"/(?![/\\])[^\s\\]*")


def _same_site_images(tag: str, attribute: str, value: str) -> str | None:
    # A remote image tells its host who reads the announcement, and when.
    if tag == "img" and attribute == "src":
        return value if SAME_SITE_PATH.fullmatch(value) else None
    return value


def markdown_to_html(text: str) -> str:
    """Staff's Markdown as HTML that is safe to show as it is."""
    rendered = markdown.markdown(text, extensions=["extra"], output_format="html")
    return nh3.clean(
        rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer",
        attribute_filter=_same_site_images, strip_comments=True,
    ).strip()


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str


PDF = FileKind("application/pdf", "pdf")
IMAGE_KINDS = {
    "PNG": FileKind("image/png", "png"),
    "JPEG": FileKind("image/jpeg", "jpg"),
    "GIF": FileKind("image/gif", "gif"),
    "WEBP": FileKind("image/webp", "webp"),
}
FORBIDDEN_MESSAGE = _("Only PDF files and images (PNG, JPEG, GIF, WebP) can be attached.")


def _magic_kind(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "PDF"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def attachment_kind(upload: UploadedFile) -> FileKind:
    """The attachment's true kind, read from its content; ValidationError if refused."""
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("This file is too large: attachments are limited to %(size)d MB."),
            code="too_large", params={"size": ATTACHMENT_MAX_BYTES // (1024 * 1024)})
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    magic = _magic_kind(content[:16])
    if magic is None:
        raise ValidationError(FORBIDDEN_MESSAGE, code="forbidden_type")
    try:
        if magic == "PDF":
            reader = PdfReader(io.BytesIO(content))
            if not reader.pages:
                raise ValidationError(FORBIDDEN_MESSAGE, code="empty_pdf")
            # The same rule as the schools' forms (documents.services.pdf_upload_check).
            pdf_content_check(reader)
            return PDF
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            if image.format != magic:
                raise ValidationError(FORBIDDEN_MESSAGE, code="mismatch")
        return IMAGE_KINDS[magic]
    except (PyPdfError, UnidentifiedImageError, OSError, ValueError, SyntaxError, KeyError,
            TypeError, RecursionError) as broken:
        raise ValidationError(_("This file is damaged or is not what its name says."),
                              code="unreadable") from broken


def private_attachment_path(instance, filename: str) -> str:
    # A random name: the stored file says nothing of the school or its content.
    return f"private/announcements/{secrets.token_hex(16)}.{filename.rsplit('.', 1)[-1]}"
