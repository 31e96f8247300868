from allauth.account.forms import LoginForm, ResetPasswordForm
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import services


class PasswordResetRequestForm(ResetPasswordForm):
    """allauth's reset form, also accepting the login ID instead of the email."""

    email = forms.CharField(
        label=_("Email or login ID"), max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )

    def clean_email(self) -> str:
        value = self.cleaned_data["email"].strip()
        if "@" in value:
            forms.EmailField().clean(value)
        return value

    def save(self, request, **kwargs) -> str:
        # No look-up here: the worker finds the account (why: accounts/services.py).
        services.password_reset_request(login=self.cleaned_data["email"])
        return self.cleaned_data["email"]


class PortalLoginForm(LoginForm):
    """allauth's login form with the visible labels only: its placeholders repeat the
    labels in other words ("Nom d'utilisateur ou e-mail") than the portal's. The login
    field's label is the portal's, for the page and for the error summary alike."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Login ID or email")
        # A login ID as much as an email: password managers keep it as the account's
        # username, and a phone neither capitalises nor corrects "parent.demo".
        login.widget.attrs.update(autocomplete="username", autocapitalize="none",
                                  spellcheck="false")
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
