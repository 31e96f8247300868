from allauth.account.forms import LoginForm, ResetPasswordForm
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


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
            return super().clean_email()
        user = User.objects.filter(username__iexact=value, is_active=True).first()
        if user and user.email:
            self.cleaned_data["email"] = user.email
            return super().clean_email()
        self.users = []
        return value

    def save(self, request, **kwargs) -> str:
        # An unknown login ID has no address to write to: the page says the same thing.
        if not self.users and "@" not in self.cleaned_data["email"]:
            return self.cleaned_data["email"]
        return super().save(request, **kwargs)


class PortalLoginForm(LoginForm):
    """allauth's login form with the visible labels only: its placeholders repeat the
    labels in other words ("Nom d'utilisateur ou e-mail") than the portal's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
