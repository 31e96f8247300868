from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from absences import selectors
from absences.models import NOTE_MAX_LENGTH, AbsenceReport, Reason
from absences.services import ReportDetails
from portail.formats import clock_time, long_date
from students.models import Student

# The periods of a child whose school keeps no timetable in the portal.
PERIODS = range(1, 7)
Kind = AbsenceReport.Kind
# A browser's date field takes only ISO dates (the French format would leave it empty).
DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
# The ids of the template's parts that depend on the kind.
KIND_PARTS = "absence-part-end absence-part-periods absence-part-time absence-part-pickup"


class ReasonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Reason) -> str:
        return obj.label  # in the parent's language


class AbsenceReportForm(forms.Form):
    """Signaler une absence: one child, or (children given) several of the family at once."""

    children = forms.TypedMultipleChoiceField(
        label=_("Children concerned"), coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one child.")})
    # Each choice shows its own parts of the form (absence-form.js; all without it).
    kind = forms.ChoiceField(label=_("What are you reporting?"), choices=Kind.choices,
                             widget=forms.RadioSelect(attrs={"aria-controls": KIND_PARTS}),
                             initial=Kind.DAYS)
    start_date = forms.DateField(label=_("Date (or first day)"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("Last day"), required=False,
                               help_text=_("For several days; leave empty for one day."),
                               widget=DATE_INPUT)
    # Choices: the children's own periods (__init__).
    periods = forms.TypedMultipleChoiceField(
        label=_("Periods missed"), required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple)
    at_time = forms.TimeField(label=_("Expected arrival or departure time"), required=False,
                              widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}))
    picked_up_by = forms.CharField(label=_("Who picks the child up (early departure)"),
                                   max_length=100, required=False)
    # By its code: the board's rows, the active ones (and a changed report's own).
    reason = ReasonField(queryset=Reason.objects.active(), to_field_name="code",
                         label=_("Reason"), empty_label=None,
                         error_messages={"invalid_choice": _("Choose a reason from the list."),
                                         "required": _("Choose a reason from the list.")})
    note = forms.CharField(label=_("Note for the school (optional)"), required=False,
                           max_length=NOTE_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, children: list[Student], chosen: list[Student] | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        # The children already read (with their school's times): no query to show or
        # check them; a child not among them is not a choice.
        self.children_by_pk = {child.pk: child for child in children}
        # Each child's periods, all of them offered (without JavaScript the ticked children
        # are not known yet), each child's checked in clean().
        timetables = selectors.timetable_periods(children, timezone.localdate())
        self.periods_of = {child.pk: timetables.get(child.pk, set(PERIODS))
                           for child in children}
        # Formatted here, in the reader's language (at import they would keep the first's).
        self.fields["periods"].choices = [
            (number, _("Period %(number)s") % {"number": number})
            for number in sorted(set().union(*self.periods_of.values()))]
        self.fields["note"].help_text = _("Up to %(max)s characters.") % {
            "max": NOTE_MAX_LENGTH}
        field = self.fields["children"]
        field.choices = [(child.pk, f"{child.first_name} {child.last_name}")
                         for child in children]
        if len(children) == 1:  # nothing to choose
            field.widget = forms.MultipleHiddenInput()
            chosen = children
        # By default the first child; the home page's form ticks none ahead (chosen=[]).
        field.initial = [child.pk for child in (children[:1] if chosen is None else chosen)]
        if self.initial.get("reason"):  # a changed report keeps its reason, even inactive
            self.fields["reason"].queryset = Reason.objects.filter(
                Q(active=True) | Q(code=self.initial["reason"]))
        if not self.is_bound and "start_date" not in self.initial:
            self.initial["start_date"] = timezone.localdate()

    def clean(self):
        data = super().clean()
        if data.get("children"):
            data["children"] = [self.children_by_pk[pk] for pk in data["children"]]
        start, kind = data.get("start_date"), data.get("kind")
        if start is None or kind is None or not data.get("children"):
            return data
        end = data.get("end_date") or start
        data["end_date"] = end
        today = timezone.localdate()
        if end < start:
            self.add_error("end_date", _("The last day cannot come before the first day."))
            return data
        earliest = today - timedelta(days=settings.ABSENCES_PAST_DAYS)
        if start < earliest:
            self.add_error("start_date", _(
                "An absence can be reported up to %(days)s days back, from %(date)s on.")
                % {"days": settings.ABSENCES_PAST_DAYS, "date": long_date(earliest)})
        if (end - start).days > settings.ABSENCES_MAX_DAYS:
            self.add_error("end_date", _("A report covers at most %(days)s days.")
                           % {"days": settings.ABSENCES_MAX_DAYS})
        if kind in (Kind.LATE_ARRIVAL, Kind.EARLY_DEPARTURE):
            self._clean_time(data, start, end)
        if kind == Kind.PERIODS and not data.get("periods"):
            self.add_error("periods", _("Choose the periods missed."))
        if kind not in (Kind.PERIODS, Kind.EARLY_DEPARTURE):
            data["periods"] = []
        if kind != Kind.EARLY_DEPARTURE:
            data["picked_up_by"] = ""
        if data.get("periods"):
            self._clean_periods(data["children"], data["periods"])
        if kind in (Kind.DAYS, Kind.PERIODS):
            data["at_time"] = None
        if not self.errors:
            self._clean_school_year(start, end)
        if not self.errors:
            self._clean_school_days(data["children"], start, end)
        return data

    def _clean_school_year(self, start: date, end: date) -> None:
        """Within one school year: Assiduité shows a year's reports, and no other day is
        the school's (a report for the summer or years ahead would be kept and never seen)."""
        year_end = selectors.school_year_end(start)
        if year_end is None or end > year_end:
            field, day = ("start_date", start) if year_end is None else ("end_date", end)
            self.add_error(field, _("This day is not in the school year: %(date)s.")
                           % {"date": long_date(day)})

    def _clean_time(self, data: dict, start: date, end: date) -> None:
        if end != start:
            self.add_error("end_date", _("A late arrival or an early departure is on one day."))
        at_time = data.get("at_time")
        if at_time is None:
            self.add_error("at_time", _("Give the time."))
            return
        for day in (selectors.school_day_of(child.school) for child in data["children"]):
            if not day.starts_at <= at_time <= day.ends_at:
                # In brackets: the English time ends with its own period ("3 p.m.").
                self.add_error("at_time", _(
                    "The time must be within the school day (%(start)s to %(end)s).")
                    % {"start": clock_time(day.starts_at), "end": clock_time(day.ends_at)})
                return

    def _clean_periods(self, children, periods: list[int]) -> None:
        """Every period ticked must be one of each child's (the form offers them all)."""
        for child in children:
            missing = sorted(set(periods) - self.periods_of[child.pk])
            if missing:
                self.add_error("periods", ngettext(
                    "%(name)s has no period %(numbers)s.", "%(name)s has no periods %(numbers)s.",
                    len(missing)) % {"name": child.first_name,
                                     "numbers": ", ".join(map(str, missing))})

    def _clean_school_days(self, children, start: date, end: date) -> None:
        """The first and last days must be school days at every child's school."""
        off = selectors.days_off({child.school_id for child in children}, start, end)
        for day in sorted({start, end}):
            if not all(selectors.is_school_day(child.school_id, day, off)
                       for child in children):
                self.add_error("start_date" if day == start else "end_date", _(
                    "There is no school on %(date)s (weekend, holiday or P.A. day).")
                    % {"date": long_date(day)})

    def details(self) -> ReportDetails:
        data = self.cleaned_data
        return ReportDetails(kind=data["kind"], start_date=data["start_date"],
                             end_date=data["end_date"], reason=data["reason"],
                             periods=tuple(data["periods"]), at_time=data.get("at_time"),
                             picked_up_by=data["picked_up_by"], note=data["note"])


def report_initial(report: AbsenceReport) -> dict:
    """A saved report as the form's initial values (to change it)."""
    return {"kind": report.kind, "start_date": report.start_date,
            "end_date": report.end_date if report.end_date != report.start_date else None,
            "periods": report.periods, "at_time": report.at_time,
            "picked_up_by": report.picked_up_by, "reason": report.reason.code, "note": report.note}
