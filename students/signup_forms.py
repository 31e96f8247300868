"""A parent's sign-up forms. allauth imports this module for the sign-up form
(ACCOUNT_SIGNUP_FORM_CLASS), so it must not import allauth.account.forms (nor views)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import SecurityQuestion, User
from portail.formats import (
    Province,
    normalize_phone,
    normalize_postal_code,
    validate_phone,
    validate_postal_code,
)
from students import services


class SignupProfileForm(forms.Form):
    """Step 1 of a new parent's sign-up: who they are and where they live."""

    first_name = forms.CharField(label=_("First name"), max_length=100,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=100,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    street = forms.CharField(label=_("Address"), max_length=200,
                             widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    city = forms.CharField(label=_("City"), max_length=100,
                           widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    province = forms.ChoiceField(label=_("Province"), choices=Province.choices,
                                 initial=Province.ON)
    postal_code = forms.CharField(
        label=_("Postal code"), max_length=7, validators=[validate_postal_code],
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
        help_text=_("For example K1G 6C3."),
    )
    primary_phone = forms.CharField(
        label=_("Main phone number"), max_length=20, validators=[validate_phone],
        widget=forms.TextInput(attrs={"autocomplete": "tel-national", "type": "tel"}),
        help_text=_("For example 613 555-0123."),
    )

    def clean_postal_code(self) -> str:
        return normalize_postal_code(self.cleaned_data["postal_code"])

    def clean_primary_phone(self) -> str:
        return normalize_phone(self.cleaned_data["primary_phone"])


class AccessCodeForm(forms.Form):
    """An existing parent's first step: the school's one-time code and their last name."""

    INVALID_MESSAGE = _("This code is not valid, has expired or has already been used. "
                        "Ask your child's school for a new one.")

    code = forms.CharField(label=_("Access code"), max_length=40,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
                           help_text=_("The code on the letter or email from your school."))
    last_name = forms.CharField(label=_("Last name"), max_length=100,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        self.access_code = services.access_code_find(
            code=cleaned["code"], last_name=cleaned["last_name"]
        )
        if self.access_code is None:
            raise forms.ValidationError(self.INVALID_MESSAGE, code="invalid_code")
        return cleaned


class SignupSecurityForm(forms.Form):
    """Step 2's own fields, added to allauth's sign-up form (email and password)."""

    security_question = forms.ChoiceField(label=_("Security question"),
                                          choices=SecurityQuestion.choices)
    security_answer = forms.CharField(label=_("Security answer"), max_length=100,
                                      widget=forms.TextInput(attrs={"autocomplete": "off"}))

    field_order = ["email", "password1", "password2", "security_question", "security_answer"]

    def signup(self, request, user: User) -> None:
        # allauth requires this method, but never calls it here: the account is made in
        # the worker (students.signup), not by allauth's form.
        raise NotImplementedError("students.signup.account_create makes the account")


