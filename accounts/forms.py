"""Our forms; those that extend allauth's are in accounts/allauth_forms.py."""

from django import forms
from django.contrib.auth.hashers import check_password
from django.utils.translation import gettext_lazy as _

from accounts.models import SecurityQuestion, User


class GeneralPreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["preferred_name", "preferred_language"]


class SecurityQuestionForm(forms.Form):
    """Sécurité tab: a new question and answer, with the current password."""

    current_password = forms.CharField(
        label=_("Current password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    security_question = forms.ChoiceField(label=_("Security question"),
                                          choices=SecurityQuestion.choices)
    security_answer = forms.CharField(label=_("Security answer"), max_length=100,
                                      widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["security_question"].initial = user.security_question or None

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not check_password(password, self.user.password):
            raise forms.ValidationError(_("Your current password is not correct."),
                                        code="wrong_password")
        return password


class LoginIdRecoveryForm(forms.Form):
    email = forms.EmailField(label=_("Main email"),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
