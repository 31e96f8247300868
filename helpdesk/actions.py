"""Every action of an account's help-desk page, each described once.

The account page shows the actions that apply to the account (a button, or a form with
its heading and explanation); a POST runs one; the history names what each recorded.
Who may act is the same for all: a help-desk agent (helpdesk.views.helpdesk_view).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import action_label
from accounts.models import AuditEvent, User
from helpdesk import services
from helpdesk.forms import (
    DeactivateForm,
    EmailChangeForm,
    MergeForm,
    PostalAddressForm,
    SecurityCheckForm,
)
from helpdesk.services import Audit

# What an action tells the agent: a message level and its text.
Outcome = tuple[int, str]


@dataclass(frozen=True)
class HelpdeskAction:
    name: str  # the POST's "action" value and the form's prefix
    label: str | Promise  # the button
    run: Callable[[HttpRequest, User, forms.Form | None], Outcome]  # calls the service
    records: tuple[Audit, ...]  # what the service writes in the audit trail
    applies: Callable[[User], bool] = lambda user: True  # the page offers only these
    form: type[forms.Form] | None = None
    form_account_argument: str = ""  # the keyword the form takes the account with
    heading: str | Promise = ""
    intro: str | Promise = ""

    def make_form(self, account: User, data=None) -> forms.Form:
        # A prefix per form: several forms share a page and field names such as "reason".
        extra = {self.form_account_argument: account} if self.form_account_argument else {}
        return self.form(data, prefix=self.name, **extra)

    def intro_for(self, account: User) -> str:
        # Only the security check's explanation has a blank (the account's question).
        return self.intro % {"question": account.get_security_question_display()}


def _resend_validation(request: HttpRequest, user: User, form) -> Outcome:
    if services.validation_email_resend(request=request, actor=request.user, user=user):
        return messages.SUCCESS, _("A new validation email was sent to %(email)s.") % {
            "email": user.email}
    return messages.WARNING, _("This account's email is already validated: nothing was sent.")


def _password_reset(request: HttpRequest, user: User, form) -> Outcome:
    if services.password_reset_send(request=request, actor=request.user, user=user):
        return messages.SUCCESS, _("A password reset link was sent to %(email)s.") % {
            "email": user.email}
    return messages.ERROR, _("No link was sent: the account is deactivated or has no email.")


def _unlock(request: HttpRequest, user: User, form) -> Outcome:
    if services.account_unlock(request=request, actor=request.user, user=user):
        return messages.SUCCESS, _("The account is unlocked: the parent can log in again.")
    return messages.INFO, _("The account was not locked; failed logins were cleared anyway.")


def _deactivate(request: HttpRequest, user: User, form: DeactivateForm) -> Outcome:
    services.account_active_set(actor=request.user, user=user, active=False,
                                reason=form.cleaned_data["reason"])
    return messages.SUCCESS, _("The account is deactivated: it can no longer log in.")


def _reactivate(request: HttpRequest, user: User, form) -> Outcome:
    services.account_active_set(actor=request.user, user=user, active=True)
    return messages.SUCCESS, _("The account is active again.")


def _change_email(request: HttpRequest, user: User, form: EmailChangeForm) -> Outcome:
    services.primary_email_change(actor=request.user, user=user, **form.cleaned_data)
    return messages.SUCCESS, _("The main email is changed; the old address was told by "
                               "email.")


def _change_address(request: HttpRequest, user: User, form: PostalAddressForm) -> Outcome:
    services.postal_address_change(actor=request.user, guardian=user.guardian,
                                   **form.cleaned_data)
    return messages.SUCCESS, _("The postal address is changed; the parent was told by email.")


def _check_security_answer(request: HttpRequest, user: User,
                           form: SecurityCheckForm) -> Outcome:
    matches = services.security_answer_check(request=request, actor=request.user, user=user,
                                             answer=form.cleaned_data["answer"])
    if matches is None:
        return messages.ERROR, _("Too many checks for this account: try again in an hour. "
                                 "This refusal is recorded.")
    if matches:
        return messages.SUCCESS, _("Matches")
    return messages.WARNING, _("Does not match")


def _merge(request: HttpRequest, user: User, form: MergeForm) -> Outcome:
    merged = form.cleaned_data["other"]
    moved = services.accounts_merge(actor=request.user, kept=user, merged=merged,
                                    reason=form.cleaned_data["reason"])
    return messages.SUCCESS, _(
        "Account %(merged)s is merged into this one (%(count)d child link(s) moved) and "
        "deactivated.") % {"merged": merged.username, "count": moved}


# In the page's order: the buttons first, then the forms.
ACTIONS = (
    HelpdeskAction(
        name="resend_validation", label=gettext_lazy("Resend the validation email"),
        run=_resend_validation, records=(Audit.VALIDATION_EMAIL,),
        applies=lambda user: bool(user.email) and not user.email_validated,
    ),
    HelpdeskAction(
        name="password_reset", label=gettext_lazy("Send a password reset link"),
        run=_password_reset, records=(Audit.PASSWORD_RESET,),
        applies=lambda user: bool(user.email) and user.is_active,
    ),
    HelpdeskAction(
        name="unlock", label=gettext_lazy("Unlock the account"),
        run=_unlock, records=(Audit.UNLOCK,),
        applies=lambda user: user.locked or user.waiting,
    ),
    HelpdeskAction(
        name="reactivate", label=gettext_lazy("Reactivate the account"),
        run=_reactivate, records=(Audit.REACTIVATE,),
        applies=lambda user: not user.is_active,
    ),
    HelpdeskAction(
        name="security_check", label=gettext_lazy("Check the answer"),
        run=_check_security_answer,
        records=(Audit.SECURITY_CHECK, Audit.SECURITY_CHECK_REFUSED),
        applies=lambda user: bool(user.security_question), form=SecurityCheckForm,
        heading=gettext_lazy("Check a caller's security answer"),
        intro=gettext_lazy("Ask the caller: “%(question)s”. The answer is never shown; you "
                           "only learn whether it matches."),
    ),
    HelpdeskAction(
        name="email", label=gettext_lazy("Change the email"),
        run=_change_email, records=(Audit.EMAIL_CHANGE,),
        form=EmailChangeForm, form_account_argument="user",
        heading=gettext_lazy("Change the main email"),
        intro=gettext_lazy("Only in person, with a document seen at the school. The new "
                           "address counts as validated; the old one is told of the change."),
    ),
    HelpdeskAction(
        name="address", label=gettext_lazy("Change the address"),
        run=_change_address, records=(Audit.ADDRESS_CHANGE,),
        applies=lambda user: hasattr(user, "guardian"), form=PostalAddressForm,
        heading=gettext_lazy("Change the postal address"),
        intro=gettext_lazy("Only in person, with a document seen at the school. The parent "
                           "is told of the change by email."),
    ),
    HelpdeskAction(
        name="deactivate", label=gettext_lazy("Deactivate"),
        run=_deactivate, records=(Audit.DEACTIVATE,),
        applies=lambda user: user.is_active, form=DeactivateForm,
        heading=gettext_lazy("Deactivate the account"),
        intro=gettext_lazy("The account can no longer log in until it is reactivated."),
    ),
    HelpdeskAction(
        name="merge", label=gettext_lazy("Merge the accounts"),
        run=_merge, records=(Audit.MERGE,),
        form=MergeForm, form_account_argument="kept",
        heading=gettext_lazy("Merge another account of the same person into this one"),
    ),
)
# A check's outcome, as the service recorded it.
SECURITY_CHECK_OUTCOMES = {True: gettext_lazy("Security answer checked: it matched"),
                           False: gettext_lazy("Security answer checked: it did not match")}


def history_label(event: AuditEvent) -> str:
    """What the history says an event was, with a security check's outcome."""
    if event.action == Audit.SECURITY_CHECK and (event.after or {}).get("matches") is not None:
        return SECURITY_CHECK_OUTCOMES[bool(event.after["matches"])]
    # The trail's names, each app's (the admin's changes as well as the help desk's).
    return action_label(event.action)


def available(user: User) -> list[HelpdeskAction]:
    """The actions that make sense for this account, in the page's order."""
    return [action for action in ACTIONS if action.applies(user)]
