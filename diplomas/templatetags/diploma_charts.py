"""The progress bars' SVG, drawn in Python: a requirements page has 18 of them, and this
markup costs a fraction of a template's loop (the page's largest cost on a first visit)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def progress_bar(segments, label) -> SafeString:
    """A bar from diplomas.charts.bar, its figures in words as its accessible name (the
    same text is beside it). Patterns tell the segments apart without colour (the page
    defines them once)."""
    rects = format_html_join(
        "", '<rect class="progress-bar__{}" x="{}" y="0" width="{}" height="10"{}/>',
        ((s.kind, f"{s.start:.3f}", f"{s.width:.3f}",
          "" if s.kind == "earned" else format_html(' fill="url(#pattern-{})"', s.kind))
         for s in segments))
    return format_html(
        '<svg class="progress-bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
        'role="img" aria-label="{}" focusable="false">{}<rect class="progress-bar__frame" '
        'x="0" y="0" width="100" height="10" fill="none"/></svg>', label, rects)
