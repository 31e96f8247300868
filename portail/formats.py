"""Canadian and Ontario formats: NISO (OEN), postal codes, phone numbers, provinces, dates
and times.

Each format has a regular expression for the stored form (also used by the database
constraints), a normaliser that turns what people type into that form, a validator with a
French message, and a display function.
"""

import re
from datetime import date, datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import dateformat, timezone
from django.utils.formats import date_format, get_format, time_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

NISO_STORED = r"^[0-9]{9}\Z"
# Canada Post: no D, F, I, O, Q, U anywhere; no W or Z in first position.
POSTAL_CODE_STORED = r"^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] [0-9][ABCEGHJ-NPRSTV-Z][0-9]\Z"
# \Z, not $: on SQLite (Python's re) "$" would also accept a trailing newline.
# North American numbers: area code and exchange start with 2 to 9.
PHONE_STORED = r"^[2-9][0-9]{2}[2-9][0-9]{6}\Z"

_SEPARATORS = re.compile(r"[\s\-.()]")

NISO_MESSAGE = _("The OEN must have exactly 9 digits, for example 123-456-789.")
POSTAL_CODE_MESSAGE = _("Enter a Canadian postal code, for example K1G 6C3.")
PHONE_MESSAGE = _("Enter a 10-digit phone number, for example 613 555-0123.")


def _day_of_month(value: date) -> str:
    # French writes the first of the month as an ordinal: « le 1er décembre ».
    return "1er" if value.day == 1 and get_language() == "fr" else str(value.day)


def long_date(value: date) -> str:
    """A date written out: "1er décembre 2026", "29 novembre 2026"; "1 December 2026"."""
    return f"{_day_of_month(value)} {date_format(value, 'F Y')}"


def long_datetime(value: datetime) -> str:
    """A moment written out, in the time zone the value is in: "1er décembre 2026 à
    8 h 05", "1 December 2026 at 8:05 a.m."."""
    return gettext("%(date)s at %(time)s") % {"date": long_date(value),
                                              "time": clock_time(value)}


def clock_hour(hour: int) -> str:
    """A whole hour: « 8 h » (the French TIME_FORMAT without its minutes), "8 a.m."
    (English's leaves them out itself)."""
    return dateformat.time_format(time(hour), get_format("TIME_FORMAT").removesuffix("\xa0i"))


def clock_time(value: time | datetime) -> str:
    """A time of day in the active language's TIME_FORMAT (portail/locale_formats): « 8 h
    15 », and « 9 h » for a whole hour as French writes it; "8:15 a.m.", "9 a.m."."""
    return clock_hour(value.hour) if value.minute == 0 else time_format(value, "TIME_FORMAT")


def time_range(start: time, end: time) -> str:
    """From one time to another: « 8 h 15 – 9 h 30 », "8:15 a.m. – 9:30 a.m."."""
    return f"{clock_time(start)}\xa0– {clock_time(end)}"


def day_in_sentence(value: date) -> str:
    """A date with its weekday as written inside a sentence: "vendredi 20 novembre 2026"
    (French writes weekdays in lower case; Django's catalogue capitalises them, for
    headings), "Friday 20 November 2026"."""
    weekday = date_format(value, "l")
    if get_language() == "fr":
        weekday = weekday.lower()
    return f"{weekday} {long_date(value)}"


def written(value: date | time) -> str:
    """A date, a moment or a time of day as the portal writes it everywhere: long_date,
    long_datetime (in the current time zone), clock_time. The admin's columns and read-only
    fields go through it (portail.admin_display)."""
    if isinstance(value, datetime):
        return long_datetime(timezone.localtime(value) if timezone.is_aware(value) else value)
    if isinstance(value, date):
        return long_date(value)
    return clock_time(value)


class Province(models.TextChoices):
    AB = "AB", _("Alberta")
    BC = "BC", _("British Columbia")
    MB = "MB", _("Manitoba")
    NB = "NB", _("New Brunswick")
    NL = "NL", _("Newfoundland and Labrador")
    NS = "NS", _("Nova Scotia")
    NT = "NT", _("Northwest Territories")
    NU = "NU", _("Nunavut")
    ON = "ON", _("Ontario")
    PE = "PE", _("Prince Edward Island")
    QC = "QC", _("Quebec")
    SK = "SK", _("Saskatchewan")
    YT = "YT", _("Yukon")


def normalize_niso(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "")


def validate_niso(value: str) -> None:
    # No public check-digit algorithm is known for the OEN: only the shape is checked.
    if not re.match(NISO_STORED, normalize_niso(value)):
        raise ValidationError(NISO_MESSAGE, code="invalid_niso")


def format_niso(value: str) -> str:
    digits = normalize_niso(value)
    if len(digits) != 9:
        return value
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def normalize_postal_code(value: str) -> str:
    compact = re.sub(r"\s", "", value or "").upper()
    if len(compact) != 6:
        return compact
    return f"{compact[:3]} {compact[3:]}"


def validate_postal_code(value: str) -> None:
    if not re.match(POSTAL_CODE_STORED, normalize_postal_code(value)):
        raise ValidationError(POSTAL_CODE_MESSAGE, code="invalid_postal_code")


def normalize_phone(value: str) -> str:
    digits = _SEPARATORS.sub("", value or "")
    if digits.startswith("+1"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


def validate_phone(value: str) -> None:
    if not re.match(PHONE_STORED, normalize_phone(value)):
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone")


def format_phone(value: str) -> str:
    digits = normalize_phone(value)
    if len(digits) != 10:
        return value
    return f"{digits[:3]} {digits[3:6]}-{digits[6:]}"


class FormattedCharField(forms.CharField):
    """A form field that takes a value as people type it and shows it as they write it.

    Normalising in the form (not only in the model) keeps an unchanged value unchanged, so
    the admin's history does not record an edit nobody made.
    """

    def __init__(self, *, normalize, display, **kwargs):
        self.normalize = normalize
        self.display = display
        super().__init__(**kwargs)

    def to_python(self, value):
        return self.normalize(super().to_python(value))

    def prepare_value(self, value):
        return self.display(value) if value else value


class NisoField(models.CharField):
    """Stores the OEN as 9 bare digits, whatever separators were typed."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 9)
        kwargs.setdefault("validators", [validate_niso])
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return normalize_niso(super().to_python(value))

    def formfield(self, **kwargs):
        # Room for the separators people type (123-456-789): the stored value is shorter.
        return super().formfield(**{"form_class": FormattedCharField, "max_length": 15,
                                    "normalize": normalize_niso, "display": format_niso,
                                    **kwargs})


class PostalCodeField(models.CharField):
    """Stores a postal code upper-case with one space: K1G 6C3."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("validators", [validate_postal_code])
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return normalize_postal_code(super().to_python(value))


class PhoneField(models.CharField):
    """Stores a North American phone number as 10 bare digits."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("validators", [validate_phone])
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return normalize_phone(super().to_python(value))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": FormattedCharField, "max_length": 20,
                                    "normalize": normalize_phone, "display": format_phone,
                                    **kwargs})


def matches_or_blank(field: str, pattern: str) -> models.Q:
    """A constraint condition for an optional formatted field."""
    return models.Q(**{field: ""}) | models.Q(**{f"{field}__regex": pattern})


class Address(models.Model):
    """A Canadian postal address (civic address, city, province, postal code)."""

    street = models.CharField(_("address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    province = models.CharField(
        _("province"), max_length=2, choices=Province.choices, default=Province.ON
    )
    postal_code = PostalCodeField(_("postal code"), blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=matches_or_blank("postal_code", POSTAL_CODE_STORED),
                name="%(app_label)s_%(class)s_postal_code_format",
                violation_error_message=POSTAL_CODE_MESSAGE,
            ),
        ]

    @property
    def address_lines(self) -> list[str]:
        lines = [self.street, f"{self.city} ({self.province}) {self.postal_code}".strip()]
        return [line for line in lines if line and line != f"({self.province})"]
