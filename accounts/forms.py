"""Our forms; those that extend allauth's are in accounts/allauth_forms.py."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.hashers import check_password
from django.utils.translation import gettext_lazy as _

from accounts.models import SecurityQuestion, StaffProfile, User
from accounts.roles import BOARD_LEVEL_ROLES, GROUPS, SCHOOL_STAFF


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


class AdminPasswordSetForm(AdminPasswordChangeForm):
    """A superuser sets an account's password; never unsets it (Django's
    « Password-based authentication » choice), which would lock its owner out."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields.pop("usable_password", None)
        self.fields["password1"].required = self.fields["password2"].required = True


class StaffInvitationForm(forms.ModelForm):
    """Ajouter un membre du personnel: who, their role (a staff group) and their schools.

    A school role needs at least one school; the board's roles see every school.
    """

    role = forms.ChoiceField(label=_("Role"), choices=[(name, name) for name in GROUPS],
                             initial=SCHOOL_STAFF)
    schools = StaffProfile._meta.get_field("schools").formfield(
        required=False,
        widget=AutocompleteSelectMultiple(StaffProfile._meta.get_field("schools"), admin.site),
        help_text=_("The schools whose records a member of the school staff works on. The "
                    "user help centre and the board's administration see every school."))

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "preferred_language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ["first_name", "last_name", "email"]:
            self.fields[name].required = True

    def clean(self):
        cleaned = super().clean()
        role, schools = cleaned.get("role"), cleaned.get("schools")
        if role in BOARD_LEVEL_ROLES and schools:
            self.add_error("schools", _("This role sees every school: choose no school."))
        elif role and role not in BOARD_LEVEL_ROLES and not schools:
            self.add_error("schools", _("Choose the schools this person works for."))
        return cleaned


class StaffPasswordForm(forms.Form):
    """The staff invitation's one password field: typed once, checked by the validators."""

    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        # In the reader's language: built for each form, not once at import.
        self.fields["password"].help_text = " ".join(
            password_validation.password_validators_help_texts())

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, self.user)
        return password
