from allauth.account.models import EmailAddress
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from helpdesk.selectors import helpdesk_accounts
from portail.formats import Province, normalize_postal_code, validate_postal_code


class AccountSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find an account"), max_length=200, required=False,
        help_text=_("A login ID, an email, a name, a phone number or a child's name."),
    )


class DeactivateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ChangeInPersonForm(forms.Form):
    """A change the board makes only in person, with a document seen at the school."""

    reason = forms.CharField(label=_("Reason for the change"), max_length=200)
    document = forms.CharField(
        label=_("Document seen at the school"), max_length=100,
        help_text=_("For example: driver's licence, lease, utility bill."),
    )


class EmailChangeForm(ChangeInPersonForm):
    email = forms.EmailField(label=_("New main email"))

    field_order = ["email", "reason", "document"]

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        in_use = (User.objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists()
                  or EmailAddress.objects.filter(email__iexact=email)
                  .exclude(user=self.user).exists())
        if in_use:
            # The model's own message for the same rule.
            raise forms.ValidationError(_("An account already uses this email."),
                                        code="email_in_use")
        return email


class PostalAddressForm(ChangeInPersonForm):
    street = forms.CharField(label=_("Address"), max_length=200)
    city = forms.CharField(label=_("City"), max_length=100)
    province = forms.ChoiceField(label=_("Province"), choices=Province.choices,
                                 initial=Province.ON)
    postal_code = forms.CharField(label=_("Postal code"), max_length=7,
                                  validators=[validate_postal_code],
                                  help_text=_("For example K1G 6C3."))

    field_order = ["street", "city", "province", "postal_code", "reason", "document"]

    def clean_postal_code(self) -> str:
        return normalize_postal_code(self.cleaned_data["postal_code"])


class SecurityCheckForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer given by the caller"), max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class MergeForm(forms.Form):
    other = forms.CharField(
        label=_("Login ID of the other account"), max_length=150,
        help_text=_("Its children, form answers and calendar links move to this account; "
                    "it is then deactivated."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
    confirm = forms.BooleanField(
        label=_("I checked that both accounts belong to the same person."))

    def __init__(self, *args, kept: User, **kwargs):
        self.kept = kept
        super().__init__(*args, **kwargs)

    def clean_other(self) -> User:
        other = helpdesk_accounts().filter(username__iexact=self.cleaned_data["other"].strip())
        merged = other.first()
        if merged is None:
            raise forms.ValidationError(_("No parent account has this login ID."),
                                        code="unknown")
        if merged.pk == self.kept.pk:
            raise forms.ValidationError(_("An account cannot be merged into itself."),
                                        code="same")
        return merged
