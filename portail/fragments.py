"""Markup that shows only settings, translations and links, rendered once per process
(students.navigation's tabs, portail.templatetags.shell's header and footer): some twenty
URL reversals, translations and static paths a page are then a dictionary look-up. What
differs from one request to the next goes in as placeholders, which the caller replaces."""

from functools import lru_cache

from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.translation import get_language


@lru_cache(maxsize=512)
def _rendered(template_name: str, language: str, script_prefix: str,
              context: tuple[tuple[str, object], ...]) -> str:
    # language and script_prefix: the active ones, which render_to_string uses.
    return render_to_string(template_name, dict(context))


def rendered_once(template_name: str, **context) -> str:
    """render_to_string(template_name, context), kept per process for the active language
    and script prefix; the context's values are hashable and hold nothing of the request."""
    return _rendered(template_name, get_language(), get_script_prefix(),
                     tuple(context.items()))
