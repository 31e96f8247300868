"""Canadian French times: « 8 h 05 », as the Office québécois de la langue française writes
them (Django's own fr_CA format prints the 12-hour clock's hour instead of its letter h)."""

from django.conf.locale.fr.formats import *  # noqa: F403 - Django's French, times changed

TIME_FORMAT = "G\xa0\\h\xa0i"
DATETIME_FORMAT = "j F Y, G\xa0\\h\xa0i"
SHORT_DATETIME_FORMAT = "d/m/Y G\xa0\\h\xa0i"
