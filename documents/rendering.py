"""Report cards to PDF with WeasyPrint: our template, our bundled font, nothing fetched
from elsewhere; one font configuration, one parsed stylesheet and one fetcher per process,
our own short user-agent stylesheet, the HTML parsed by expat (our templates are
well-formed XML), the garbage collector paused while a card renders."""

import gc
import hashlib
import re
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from urllib.request import url2pathname
from xml.etree import ElementTree

import cssselect2
from django.conf import settings
from django.template.loader import get_template, render_to_string
from django.utils import translation
from weasyprint import CSS, HTML, _find_base_url
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, path2url

TEMPLATE = "documents/report_card.html"
STYLESHEET = Path(settings.BASE_DIR) / "static" / "documents" / "report_card.css"
USER_AGENT_STYLESHEET = STYLESHEET.with_name("user_agent.css")
# Characters XML 1.0 forbids, which text pasted from a word processor can hold (Word's
# line break is a vertical tab): a line break for \v and \f, nothing for the others.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What the fetcher may read: the bundled fonts and the report card's own static files.
ALLOWED_DIRECTORIES = (
    Path(settings.BASE_DIR) / "static" / "fonts",
    Path(settings.BASE_DIR) / "static" / "documents",
)
PDF_VARIANT = "pdf/ua-1"


class RefusedURL(FatalURLFetchingError):
    """A template or data pointed outside the bundled files: rendering stops."""


class BundledFilesFetcher(URLFetcher):
    """Fetches only files under ALLOWED_DIRECTORIES: no network, no other file:// path,
    no data: URL (nothing here needs one)."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True, **kwargs)

    def fetch(self, url, headers=None):
        if not url.startswith("file:"):
            raise RefusedURL(f"Refused URL (only bundled files): {url[:100]}")
        path = Path(url2pathname(url.split("?")[0].split("#")[0].removeprefix("file:")))
        path = path.resolve()
        if not any(path.is_relative_to(allowed.resolve()) for allowed in ALLOWED_DIRECTORIES):
            raise RefusedURL(f"Refused file outside the bundled ones: {path.name}")
        return super().fetch(url, headers)


@cache
def fetcher() -> BundledFilesFetcher:
    """One per process: it holds no state, and building one builds urllib's opener."""
    return BundledFilesFetcher()


@cache
def font_configuration() -> FontConfiguration:
    """One per process: building it (fontconfig's set of fonts) costs more than a page."""
    return FontConfiguration()


@cache
def stylesheet() -> CSS:
    """The report card's stylesheet, parsed once per process, its fonts registered in the
    process's font configuration."""
    return CSS(filename=str(STYLESHEET), font_config=font_configuration(),
               url_fetcher=fetcher())


@cache
def user_agent_stylesheet() -> CSS:
    return CSS(filename=str(USER_AGENT_STYLESHEET), url_fetcher=fetcher())


class ReportCardHTML(HTML):
    """WeasyPrint's HTML, with two of its hooks overridden (tests/documents check both
    against WeasyPrint's own, so that an upgrade that changes them fails there):

    - built from well-formed markup parsed by expat (`xml.etree`, in C) instead of
      WeasyPrint's pure-Python HTML5 parser: 0.1 ms a card instead of 4.5. What follows
      the parsing is WeasyPrint's `HTML.__init__` (70.0) as it is. Markup that is not
      well-formed XML raises `ParseError`: nothing is guessed, unlike an HTML5 parser.
    - our user-agent stylesheet instead of its own (a hook its own tests override too):
      42 styles to compute a card instead of 916 (bench/README.md)."""

    def __init__(self, markup: str, *, base_url: str, url_fetcher: URLFetcher):
        # Our template's markup, every datum escaped in it by Django: no entity or DTD can
        # come from data; ElementTree resolves no external entity.
        root = ElementTree.fromstring(markup)  # noqa: S314
        self.base_url = _find_base_url(root, base_url)
        self.url_fetcher = url_fetcher
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(
            root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element

    def _ua_stylesheets(self, forms=False):
        return [user_agent_stylesheet()]


@cache
def layout_version() -> str:
    """Changes when the template or a stylesheet does: a new layout renders every card again."""
    source = (Path(get_template(TEMPLATE).origin.name).read_bytes() + STYLESHEET.read_bytes()
              + USER_AGENT_STYLESHEET.read_bytes())
    return hashlib.sha256(source).hexdigest()[:16]


def report_card_html(document: dict, *, language: str = "fr") -> str:
    with translation.override(language):
        return render_to_string(TEMPLATE, document)


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector off while a card renders, then one collection of
    the young generations. A card allocates enough for about ten automatic collections,
    and every tenth card or so for a full one that walks every object of the process
    (120,000: Django's, the fonts'): 11 ms a card in all. It leaves about 4,000 objects
    in cycles, which the one collection frees in 1.5 ms (bench/README.md). Another
    thread's rendering may turn the collector back on early: no harm."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect(1)


def html_to_pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1: structure tree, language and title from the HTML). The
    HTML must be well-formed XML (ReportCardHTML): `ParseError` otherwise."""
    base_url = path2url(str(STYLESHEET.parent)) + "/"
    html = NOT_IN_XML.sub(lambda found: "\n" if found[0] in "\v\f" else "", html)
    with collector_paused():
        return ReportCardHTML(html, base_url=base_url, url_fetcher=fetcher()).write_pdf(
            stylesheets=[stylesheet()], font_config=font_configuration(), pdf_variant=PDF_VARIANT)


def report_card_pdf(document: dict, *, language: str = "fr") -> bytes:
    return html_to_pdf(report_card_html(document, language=language))
