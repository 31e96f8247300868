"""HTML written in Python, by template tags whose rows a template's loops made slow."""

import html


def escaped(value) -> str:
    """The value as {{ value }} shows it: text escaped, HTML marked safe kept (Django's
    conditional_escape without its lazy-text wrapper, which doubled the cost of the
    hundreds of calls a page's tables make)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))
