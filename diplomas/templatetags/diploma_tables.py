"""The requirements page's figures and course tables, written in Python: the page has a
list of figures and a table per category (some thirteen of each), and as template
includes they were most of its cost on a first visit (its content is then cached)."""

from django import template
from django.utils.html import conditional_escape as escape  # as {{ }} does
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

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
        return mark_safe(  # noqa: S308 (a translation of ours)
            f'<p class="cell-note">{escape(gettext("No course counted here yet."))}</p>')
    table_id = escape(table_id)
    headings = "".join(f'<th scope="col">{escape(heading)}</th>' for heading in (
        gettext("Course"), gettext("School year"), gettext("Mark (%)"), gettext("Credit")))
    body = "".join(
        f'<tr><th scope="row">{escape(row.code)} <span class="cell-note">{escape(row.title)}'
        f"</span></th><td>{escape(row.school_year)}</td><td>{escape(row.mark)}</td>"
        f"<td>{escape(row.credit)}</td></tr>" for row in rows)
    return mark_safe(  # noqa: S308 (every value escaped above)
        f'<div class="table-scroll" role="region" aria-labelledby="courses-{table_id}" '
        f'tabindex="0"><table class="table table--compact"><caption id="courses-{table_id}">'
        f"{escape(caption)}</caption><thead><tr>{headings}</tr></thead><tbody>{body}</tbody>"
        f"</table></div>")
