from django import template

from portail.formats import day_in_sentence

register = template.Library()
register.filter("day_in_sentence", day_in_sentence)
