"""What a French reader sees: the catalogue's wording and a page's HTML, for every test.

`{% translate %}` outputs the catalogue's text as it is (a French apostrophe stays "'") while
variables and `{% blocktranslate %}` arguments are escaped ("&#x27;"). Tests therefore
compare unescaped strings with unescaped HTML: what the reader sees, however Django escaped
it. Checks on the markup itself (no inline script, a payload kept escaped) read the raw
`response.content` instead.
"""

import html

from django.utils import translation


def french(msgid: str) -> str:
    with translation.override("fr"):
        return translation.gettext(msgid)


def french_plural(singular: str, plural: str, number: int) -> str:
    with translation.override("fr"):
        return translation.ngettext(singular, plural, number)


def french_in_context(context: str, msgid: str) -> str:
    with translation.override("fr"):
        return translation.pgettext(context, msgid)


def html_of(response, status: int = 200) -> str:
    """The page's HTML with character references unescaped, once its status is checked."""
    assert response.status_code == status, response.status_code
    return html.unescape(response.content.decode())
