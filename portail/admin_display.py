"""The admin writes dates and times as the rest of the portal does: « 1er février 2027 »,
« 9 h », « 4 décembre 2026 à 11 h 26 » (portail.formats.written), not through the
DATE_FORMAT and TIME_FORMAT it would use (« 1 février 2027 », « 9 h 00 »).

Django's list cells (admin_list) and read-only fields (helpers) call
django.contrib.admin.utils' display_for_field and display_for_value, which they import
by name: `register()` gives those two modules versions that write dates and times first.
Values with choices, and form inputs, are left to Django. The date hierarchy above a list
names its days with MONTH_DAY_FORMAT: the first of the month gets its « er » there.
`file_size`, a column for a stored file's size, writes it as people read it too.
"""

import datetime
import re

from django.contrib import admin
from django.contrib.admin import helpers, utils
from django.contrib.admin.templatetags import admin_list
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portail.formats import written

_DATES = (datetime.date, datetime.time)  # datetime.datetime is a date


def display_for_field(value, field, *args, **kwargs):
    if isinstance(value, _DATES) and not getattr(field, "flatchoices", None):
        return written(value)
    return utils.display_for_field(value, field, *args, **kwargs)


def display_for_value(value, empty_value_display, boolean=False):
    if isinstance(value, _DATES) and not boolean:
        return written(value)
    return utils.display_for_value(value, empty_value_display, boolean)


_django_date_hierarchy = admin_list.date_hierarchy
_FIRST_OF_MONTH = re.compile(r"^1 (?=\D)")


def date_hierarchy(cl):
    context = _django_date_hierarchy(cl)
    if context and get_language() == "fr":
        for choice in context.get("choices", ()):
            choice["title"] = _FIRST_OF_MONTH.sub("1er ", str(choice["title"]))
    return context


@admin.display(description=_("size"), ordering="size")
def file_size(stored) -> str:
    """A stored file's size as people read it (« 23,5 Kio »), not its number of bytes."""
    return filesizeformat(stored.size)


def register() -> None:
    for module in (admin_list, helpers):
        module.display_for_field = display_for_field
    admin_list.display_for_value = display_for_value
    # Looked up by the {% date_hierarchy %} tag each time a template using it is compiled.
    admin_list.date_hierarchy = date_hierarchy
