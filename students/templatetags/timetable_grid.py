"""The week grid's rows, written in Python: a grid has some forty cells and as many
classes, and the template's loops over them were most of Emploi du temps' cost on a
child's first visit (the grid is then cached)."""

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from portail.markup import escaped as escape

register = template.Library()


def _class(course, room_label: str) -> str:
    times = f'<span class="timetable__time">{escape(course.times)}</span>' if course.times else ""
    teacher = f"<span>{escape(course.teacher)}</span>" if course.teacher else ""
    room = f"<span>{escape(room_label)} {escape(course.room)}</span>" if course.room else ""
    return (f'<div class="timetable__class"><span class="timetable__code">{escape(course.code)}'
            f'</span><span class="timetable__title">{escape(course.title)}</span>'
            f"{times}{teacher}{room}</div>")


@register.simple_tag
def timetable_rows(week, room_label: str) -> SafeString:
    """The grid's rows (students.selectors.TimetableRow): each period's heading, then its
    cells, Monday to Friday, each with its classes; `room_label`: "Room" in the reader's
    language."""
    period = gettext("Period %(number)s")
    return mark_safe("".join(  # noqa: S308 (every value escaped)
        f'<tr><th scope="row">{escape(period % {"number": row.period})} '
        f'<span class="timetable__time">{escape(row.times)}</span></th>'
        + "".join(f"<td>{''.join(_class(course, room_label) for course in classes)}</td>"
                  for classes in row.days)
        + "</tr>"
        for row in week))
