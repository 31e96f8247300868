"""The progress bars' SVG, drawn in Python: a requirements page has 18 of them, and this
markup costs a fraction of a template's loop (the page's largest cost on a first visit)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from portail.markup import escaped

register = template.Library()


def _fill(kind: str) -> str:
    return "" if kind == "earned" else f' fill="url(#pattern-{kind})"'


@register.simple_tag
def progress_bar(segments, label) -> SafeString:
    """A bar from diplomas.charts.bar, its figures in words as its accessible name (the
    same text is beside it). Patterns tell the segments apart without colour (the page
    defines them once)."""
    # f-strings, not format_html: its escaping of every part cost as much as the rest.
    # The segments' kinds are diplomas.charts.SEGMENTS; the label is escaped.
    rects = "".join(
        f'<rect class="progress-bar__{s.kind}" x="{s.start:.3f}" y="0" width="{s.width:.3f}" '
        f'height="10"{_fill(s.kind)}/>' for s in segments)
    return mark_safe(  # noqa: S308 (the label escaped, the rest ours)
        '<svg class="progress-bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
        f'role="img" aria-label="{escaped(label)}" focusable="false">{rects}<rect '
        'class="progress-bar__frame" x="0" y="0" width="100" height="10" fill="none"/></svg>')
