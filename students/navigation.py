"""The tabs of a child's pages, rendered once per process for each kind of page.

The side tabs and Détails' sub-tabs differ from one child to another only by the child's
public id in their links: they are rendered once per (language, page, tab) with a
placeholder id, then each page replaces it with its child's (a string replacement instead
of some twenty URL reversals and translations on every page). They show nothing about the
child and decide nothing: access is decided before, on every request.
"""

from django.utils.safestring import SafeString, mark_safe

from portail.fragments import rendered_once

# A valid UUID (the URL converter checks it) that no student has: uuid4 never makes it.
PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def child_tabs(template: str, public_id, *, url_name: str, side_tab: str,
               sub_tab: str | None, secondary: bool) -> SafeString:
    html = rendered_once(template, public_id=PLACEHOLDER, url_name=url_name,
                         side_tab=side_tab, sub_tab=sub_tab, secondary=secondary)
    return mark_safe(html.replace(PLACEHOLDER, str(public_id)))  # noqa: S308 (our template; a UUID)
