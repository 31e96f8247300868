from datetime import date, timedelta

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from students.models import SchoolYear, Term

WHOLE_YEAR = "annee"


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _months(school_year: SchoolYear) -> list[date]:
    months, day = [], school_year.start_date.replace(day=1)
    while day <= school_year.end_date:
        months.append(day)
        day = _next_month(day)
    return months


class AttendancePeriodForm(forms.Form):
    """Assiduité: the whole year, one month or one term."""

    periode = forms.ChoiceField(label=_("Period"), required=False)

    def __init__(self, *args, school_year: SchoolYear, terms: list[Term], **kwargs):
        super().__init__(*args, **kwargs)
        self.school_year = school_year
        # A full-year term (AN) would repeat "Whole school year" under another name.
        self.terms = {f"etape-{term.pk}": term for term in terms if not term.is_full_year}
        self.months = {f"{month:%Y-%m}": month for month in _months(school_year)}
        # A callable: the labels are made only when the list is checked or shown (the
        # Assiduité page keeps the list's HTML per process).
        self.fields["periode"].choices = self._choices
        self.fields["periode"].error_messages["invalid_choice"] = _(
            "This period is not part of the school year: the whole year is shown."
        )

    def _choices(self) -> list[tuple[str, str]]:
        return [
            (WHOLE_YEAR, _("Whole school year")),
            *((key, term.label) for key, term in self.terms.items()),
            *((key, formats.date_format(month, "YEAR_MONTH_FORMAT").capitalize())
              for key, month in self.months.items()),
        ]

    def date_range(self) -> tuple[date, date]:
        choice = self.cleaned_data.get("periode") if self.is_valid() else None
        if choice in self.terms:
            term = self.terms[choice]
            return term.start_date, term.end_date
        if choice in self.months:
            first = self.months[choice]
            return first, _next_month(first) - timedelta(days=1)
        return self.school_year.start_date, self.school_year.end_date


class ParentFormAnswerForm(forms.Form):
    accepted = forms.TypedChoiceField(
        label=_("Your answer"), widget=forms.RadioSelect, coerce=lambda value: value == "yes",
        choices=[("yes", _("I agree")), ("no", _("I do not agree"))],
    )
    signature = forms.CharField(
        label=_("Signature: type your full name"), max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def __init__(self, *args, acknowledgement: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if acknowledgement:
            # Nothing to choose: reading and signing is the acknowledgement.
            self.fields["accepted"] = forms.BooleanField(
                label=_("I have read this document."), required=True
            )
