"""The Documents tab's rows, written in Python: each report card's name, type, size,
dates and links, and each form's, took most of the tab's rendering through the
template's variables, filters and translations (bench/README.md, report-card day)."""

from datetime import date as Date
from functools import lru_cache

from django import template
from django.template.defaultfilters import date, filesizeformat
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext

from portail.markup import escaped as escape

register = template.Library()


# A page's dates and sizes are few values board-wide (a round's publication day, the
# forms'): each is formatted once per process and language.
@lru_cache(maxsize=512)
def long_date(day: Date, language: str) -> str:
    """The date filter's "j F Y" in the active language (`language`), not escaped; also the
    home page's recent documents'."""
    return date(day, "j F Y")


def _day(day: Date, language: str) -> str:
    return escape(long_date(day, language))


@lru_cache(maxsize=512)
def _size(size: int, language: str) -> str:
    return escape(filesizeformat(size))


def _report_card_row(stored, language: str, download: str, printable: str,
                     corrected: str) -> str:
    period = stored.card.period
    name = escape(period.name)
    mark = note = ""
    if stored.is_correction:
        mark = f" <strong>({corrected})</strong>"
        on = _day(template_localtime(stored.created_at).date(), language)
        corrected_on = gettext("corrected on %(date)s") % {"date": on}
        note = f'<span class="cell-note">{corrected_on}</span>'
    # Named with the report (aria-label): a hidden span here would escape the scrolling region.
    # The actions come right after the name: on a phone they show without scrolling sideways.
    return (f"<tr><th scope=\"row\">{escape(stored.filename)}{mark}</th>"
            f'<td><a href="{escape(stored.download_url)}" aria-label="{download} — {name}">'
            f"{download}</a> · "
            f'<a href="{escape(stored.print_url)}" aria-label="{printable} — {name}">'
            f"{printable}</a></td>"
            f"<td>{escape(period.get_kind_display())} (PDF)</td>"
            f"<td>{_size(stored.size, language)}</td>"
            f"<td>{_day(period.publication_date, language)}{note}</td></tr>")


@register.simple_tag
def report_card_rows(entries) -> SafeString:
    """The rows of a year's report cards (documents.selectors.report_card_entries)."""
    words = (get_language(), escape(gettext("Download")), escape(gettext("Print")),
             escape(gettext("corrected")))
    return mark_safe("".join(  # noqa: S308 (every value escaped above)
        _report_card_row(stored, *words) for stored in entries))


@register.simple_tag
def form_items(forms) -> SafeString:
    """The forms' list items (documents.selectors.form_entries), titled in the reader's
    language."""
    language = get_language()
    return mark_safe("".join(  # noqa: S308 (every value escaped)
        f'<li><a href="{escape(form.url)}">'
        f"{escape(form.title_en if language == 'en' else form.title_fr)}</a> "
        f'<span class="cell-note">PDF, {_size(form.size, language)}, '
        f"{_day(template_localtime(form.uploaded_at).date(), language)}</span></li>"
        for form in forms))
