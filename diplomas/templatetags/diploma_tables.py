"""The Relevé pages' tables, written in Python: the requirements page has a list of
figures and a table per category (some thirteen of each), the transcript a row per result,
and as template includes and loops they were most of each page's cost on a child's first
visit (their content is then cached)."""

from functools import lru_cache

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from portail.markup import escaped as escape

register = template.Library()


@register.simple_tag
def figures(items) -> SafeString:
    """(term, value) pairs as a description list."""
    pairs = "".join(f"<div><dt>{escape(term)}</dt><dd>{escape(value)}</dd></div>"
                    for term, value in items)
    return mark_safe(f'<dl class="figures">{pairs}</dl>')  # noqa: S308 (escaped above)


@register.simple_tag
def course_table(rows, caption, table_id) -> SafeString:
    """The courses counted under a chart (diplomas.views.CourseRow), in a table that
    scrolls on a phone; or a note when there is none."""
    if not rows:
        # Translated outside the f-string: makemessages does not look inside one.
        none = escape(gettext("No course counted here yet."))
        return mark_safe(f'<p class="cell-note">{none}</p>')  # noqa: S308 (a translation of ours)
    table_id = escape(table_id)
    headings = _course_headings(get_language())
    body = "".join(
        f'<tr><th scope="row">{escape(row.code)} <span class="cell-note">{escape(row.title)}'
        f"</span></th><td>{escape(row.school_year)}</td><td>{escape(row.mark)}</td>"
        f"<td>{escape(row.credit)}</td></tr>" for row in rows)
    return mark_safe(  # noqa: S308 (every value escaped above)
        f'<div class="table-scroll" role="region" aria-labelledby="courses-{table_id}" '
        f'tabindex="0"><table class="table table--compact"><caption id="courses-{table_id}">'
        f"{escape(caption)}</caption><thead><tr>{headings}</tr></thead><tbody>{body}</tbody>"
        f"</table></div>")


@lru_cache(maxsize=8)
def _course_headings(language: str) -> str:  # language: the active one, gettext's
    return "".join(f'<th scope="col">{escape(heading)}</th>' for heading in (
        gettext("Course"), gettext("School year"), gettext("Mark (%)"), gettext("Credit")))


@register.simple_tag
def transcript_rows(results) -> SafeString:
    """The Répertoire des crédits complétés' rows (diplomas.selectors.TranscriptLine): a
    W in place of a withdrawn course's mark and credit."""
    # Translated outside the f-strings: makemessages does not look inside one.
    withdrawn, online = escape(gettext("withdrawn")), escape(gettext("online course"))
    withdrawn = f'<td><abbr title="{withdrawn}">W</abbr></td>'
    online = f'<span class="cell-note">{online}</span>'
    rows = []
    for result in results:
        if result.withdrawn:
            marks = withdrawn * 2
        else:
            mark = "—" if result.mark is None else escape(result.mark)
            marks = f"<td>{mark}</td><td>{escape(result.credit_text)}</td>"
        school = escape(result.school if result.kind == "course" else result.kind_label)
        rows.append(
            f"<tr><td>{escape(result.school_year)}</td><td>{escape(result.grade_label)}</td>"
            f'<th scope="row">{escape(result.code)} <span class="cell-note">'
            f"{escape(result.title)}</span></th>{marks}<td>{school}"
            f"{online if result.online else ''}</td></tr>")
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped above)
