from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import Category, NotificationSettings, Timing
from portail.formats import clock_hour


class TimingsForm(forms.Form):
    """One choice per category: right away, in the daily summary, or no email."""

    def __init__(self, *args, initial_timings: dict[str, str], categories=tuple(Category),
                 **kwargs):
        super().__init__(*args, **kwargs)
        for category in categories:
            self.fields[category.value] = forms.ChoiceField(
                label=category.label, choices=Timing.choices, widget=forms.RadioSelect,
                initial=initial_timings[category.value],
                error_messages={"invalid_choice": _("Choose when to be told.")},
            )


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["digest_hour", "quiet_start", "quiet_end"]
        widgets = {
            "digest_hour": forms.Select,
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "quiet_start": _("No email right away between these two times: it waits "
                             "until the end."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # In the reader's language, hence made with each form: « 8 h », "8 a.m.".
        self.fields["digest_hour"].widget.choices = [(hour, clock_hour(hour))
                                                     for hour in range(24)]

    def clean(self):
        # Both ends or neither is the model's constraint: it says so once, and not at all
        # when an end is not a time (that field's own error is the one to read).
        cleaned = super().clean()
        start, end = cleaned.get("quiet_start"), cleaned.get("quiet_end")
        if start is not None and start == end:
            raise forms.ValidationError(_("The quiet hours must start and end at different "
                                          "times."))
        return cleaned
