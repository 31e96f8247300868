"""Every page's header and footer (base.html), rendered once per process for each language
and state of the header (portail.fragments), as a child's tabs are (students.navigation).

What the request gives (the CSRF token, the page's path, the user's name) goes into the
header in its placeholder's place. They show nothing and decide nothing: the view has
decided what the page shows before.
"""

import re

from django import template
from django.forms import BaseForm
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from portail.context_processors import board
from portail.fragments import rendered_once as fragment

register = template.Library()

# Letters, digits and hyphens: autoescaping leaves them as they are.
CSRF = "portail-placeholder-csrf"
PATH = "portail-placeholder-path"
NAME = "portail-placeholder-name"
# One pass over the header: a value that holds a placeholder's text (a path, a name) is not
# replaced in its turn.
PLACEHOLDERS = re.compile(f"{CSRF}|{PATH}|{NAME}")


def _render(template_name: str, **state) -> str:
    return fragment(template_name, **board(None), LANGUAGE_CODE=get_language(),
                    csrf_token=CSRF, next_path=PATH, display_name=NAME, **state)


@register.simple_tag
def rendered_once(template_name: str) -> SafeString:
    """A template that shows only the board's settings and translations."""
    return mark_safe(_render(template_name))  # noqa: S308


@register.simple_tag(takes_context=True)
def page_header(context) -> SafeString:
    """The header: the language switcher, the user's menu and the top tabs (the current one:
    the view's active_tab, or from the URL: home, or Famille for the students app)."""
    request, user = context["request"], context["user"]
    match = request.resolver_match  # None on an error page
    current = context.get("active_tab") or (
        "home" if match and match.url_name == "home"
        else "family" if match and match.namespace == "students" else "")
    html = _render("includes/page_header.html", authenticated=user.is_authenticated,
                   current=current, login_page=bool(match) and match.url_name == "account_login")
    values = {CSRF: escape(context["csrf_token"]), PATH: escape(request.get_full_path()),
              NAME: escape(user.display_name) if user.is_authenticated else ""}
    return mark_safe(PLACEHOLDERS.sub(lambda found: values[found[0]], html))  # noqa: S308 (our template; the values escaped)


@register.simple_tag(takes_context=True)
def error_prefix(context) -> str:
    """"Error: " at the start of the title of a page whose form came back with errors: the
    first words a screen reader says when the page opens (includes/form_errors.html)."""
    for value in context.flatten().values():
        if isinstance(value, BaseForm) and value.is_bound and value.errors:
            return gettext("Error:") + " "
    return ""
