from django import template

from portail import formats

register = template.Library()
register.filter("day_in_sentence", formats.day_in_sentence)
register.filter("clock_time", formats.clock_time)


# A datetime in the current time zone first, and nothing for a missing value, as Django's
# own date filter has them.
@register.filter(expects_localtime=True)
def long_date(value) -> str:
    return formats.long_date(value) if value else ""


@register.filter(expects_localtime=True)
def long_datetime(value) -> str:
    return formats.long_datetime(value) if value else ""
