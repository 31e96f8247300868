from django import forms

from accounts.models import User


class GeneralPreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["preferred_language"]
