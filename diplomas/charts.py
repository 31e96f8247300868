"""Progress bars as data for the SVG the template draws: each segment's place and width in
a 0–100 view box. The page states the same figures in text; patterns, not colour alone,
tell the segments apart."""

from dataclasses import dataclass
from decimal import Decimal

SEGMENTS = ("earned", "waived", "in_progress", "remaining")


@dataclass(frozen=True)
class Segment:
    kind: str  # one of SEGMENTS: the CSS class and the pattern
    start: float
    width: float


def bar(*, required: Decimal, earned: Decimal, waived: Decimal = Decimal(0),
        in_progress: Decimal = Decimal(0)) -> list[Segment]:
    if required <= 0:
        return []
    values = {"earned": min(earned, required), "waived": waived, "in_progress": in_progress}
    segments, start = [], Decimal(0)
    for kind in SEGMENTS[:-1]:
        width = min(values[kind], required - start)
        if width > 0:
            segments.append(Segment(kind, float(start * 100 / required),
                                    float(width * 100 / required)))
            start += width
    if start < required:
        segments.append(Segment("remaining", float(start * 100 / required),
                                float((required - start) * 100 / required)))
    return segments
