"""The help desk's pages (Centre d'aide), in the admin's look, under /admin/centre-aide/.

Plain views rather than admin registrations: they act on accounts, not on one model's
rows. Each action is a POST, recorded in the audit trail, answered with a message.
"""

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import helpdesk_services as services
from accounts.helpdesk_forms import (
    AccountSearchForm,
    DeactivateForm,
    EmailChangeForm,
    MergeForm,
    PostalAddressForm,
    SecurityCheckForm,
)
from accounts.helpdesk_selectors import (
    account_history,
    account_links,
    account_search,
    helpdesk_account,
    is_helpdesk_agent,
)
from accounts.models import User
from portail.formats import format_phone

app_name = "helpdesk"

# What the history on an account's page calls each recorded action.
ACTION_LABELS = {
    "helpdesk_validation_email": gettext_lazy("Validation email sent again"),
    "helpdesk_password_reset": gettext_lazy("Password reset link sent"),
    "helpdesk_unlock": gettext_lazy("Account unlocked"),
    "helpdesk_deactivate": gettext_lazy("Account deactivated"),
    "helpdesk_reactivate": gettext_lazy("Account reactivated"),
    "helpdesk_email_change": gettext_lazy("Main email changed"),
    "helpdesk_address_change": gettext_lazy("Postal address changed"),
    "helpdesk_security_check": gettext_lazy("Security answer checked"),
    "helpdesk_security_check_refused": gettext_lazy("Security answer check refused (limit)"),
    "helpdesk_merge": gettext_lazy("Accounts merged"),
}


def helpdesk_view(view: Callable) -> Callable:
    """The admin's own gate (login, staff, and whatever the admin site requires), then
    the help desk's: a member of Centre d'aide, board-level staff or a superuser."""

    @wraps(view)
    def agent_only(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_helpdesk_agent(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    @wraps(view)
    def in_admin(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return admin.site.admin_view(agent_only)(request, *args, **kwargs)

    return in_admin


@helpdesk_view
def home(request: HttpRequest) -> HttpResponse:
    form = AccountSearchForm(request.GET or None)
    term = form.cleaned_data["q"] if form.is_valid() else ""
    return render(request, "admin/helpdesk/home.html", {
        **admin.site.each_context(request),
        "title": _("User help centre"),
        "form": form,
        "term": term,
        "results": account_search(term),
    })


# --- An account's actions: each takes (request, account, valid form or None) and returns
# the message for the agent and its level.

def _resend_validation(request: HttpRequest, user: User, form) -> tuple[int, str]:
    if services.validation_email_resend(request=request, actor=request.user, user=user):
        return messages.SUCCESS, _("A new validation email was sent to %(email)s.") % {
            "email": user.email}
    return messages.WARNING, _("This account's email is already validated: nothing was sent.")


def _password_reset(request: HttpRequest, user: User, form) -> tuple[int, str]:
    if services.password_reset_send(request=request, actor=request.user, user=user):
        return messages.SUCCESS, _("A password reset link was sent to %(email)s.") % {
            "email": user.email}
    return messages.ERROR, _("No link was sent: the account is deactivated or has no email.")


def _unlock(request: HttpRequest, user: User, form) -> tuple[int, str]:
    if services.account_unlock(actor=request.user, user=user):
        return messages.SUCCESS, _("The account is unlocked: the parent can log in again.")
    return messages.INFO, _("The account was not locked; failed logins were cleared anyway.")


def _deactivate(request: HttpRequest, user: User, form: DeactivateForm) -> tuple[int, str]:
    services.account_active_set(actor=request.user, user=user, active=False,
                                reason=form.cleaned_data["reason"])
    return messages.SUCCESS, _("The account is deactivated: it can no longer log in.")


def _reactivate(request: HttpRequest, user: User, form) -> tuple[int, str]:
    services.account_active_set(actor=request.user, user=user, active=True)
    return messages.SUCCESS, _("The account is active again.")


def _change_email(request: HttpRequest, user: User, form: EmailChangeForm) -> tuple[int, str]:
    services.primary_email_change(actor=request.user, user=user, **form.cleaned_data)
    return messages.SUCCESS, _("The main email is changed; the old address was told by "
                               "email.")


def _change_address(request: HttpRequest, user: User,
                    form: PostalAddressForm) -> tuple[int, str]:
    services.postal_address_change(actor=request.user, guardian=user.guardian,
                                   **form.cleaned_data)
    return messages.SUCCESS, _("The postal address is changed; the parent was told by email.")


def _check_security_answer(request: HttpRequest, user: User,
                           form: SecurityCheckForm) -> tuple[int, str]:
    matches = services.security_answer_check(request=request, actor=request.user, user=user,
                                             answer=form.cleaned_data["answer"])
    if matches is None:
        return messages.ERROR, _("Too many checks for this account: try again in an hour. "
                                 "This refusal is recorded.")
    if matches:
        return messages.SUCCESS, _("Matches")
    return messages.WARNING, _("Does not match")


def _merge(request: HttpRequest, user: User, form: MergeForm) -> tuple[int, str]:
    merged = form.cleaned_data["other"]
    moved = services.accounts_merge(actor=request.user, kept=user, merged=merged,
                                    reason=form.cleaned_data["reason"])
    return messages.SUCCESS, _(
        "Account %(merged)s is merged into this one (%(count)d child link(s) moved) and "
        "deactivated.") % {"merged": merged.username, "count": moved}


ACTIONS: dict[str, tuple[type[forms.Form] | None, Callable]] = {
    "resend_validation": (None, _resend_validation),
    "password_reset": (None, _password_reset),
    "unlock": (None, _unlock),
    "deactivate": (DeactivateForm, _deactivate),
    "reactivate": (None, _reactivate),
    "email": (EmailChangeForm, _change_email),
    "address": (PostalAddressForm, _change_address),
    "security_check": (SecurityCheckForm, _check_security_answer),
    "merge": (MergeForm, _merge),
}
FORM_ARGUMENTS = {EmailChangeForm: "user", MergeForm: "kept"}
# The actions without fields: one button each.
BUTTONS = {
    "resend_validation": gettext_lazy("Resend the validation email"),
    "password_reset": gettext_lazy("Send a password reset link"),
    "unlock": gettext_lazy("Unlock the account"),
    "reactivate": gettext_lazy("Reactivate the account"),
}
# The forms of an account's page, in order: (heading, button, explanation).
FORM_TEXTS = {
    "security_check": (
        gettext_lazy("Check a caller's security answer"), gettext_lazy("Check the answer"),
        gettext_lazy("Ask the caller: “%(question)s”. The answer is never shown; you only "
                     "learn whether it matches."),
    ),
    "email": (
        gettext_lazy("Change the main email"), gettext_lazy("Change the email"),
        gettext_lazy("Only in person, with a document seen at the school. The new address "
                     "counts as validated; the old one is told of the change."),
    ),
    "address": (
        gettext_lazy("Change the postal address"), gettext_lazy("Change the address"),
        gettext_lazy("Only in person, with a document seen at the school. The parent is "
                     "told of the change by email."),
    ),
    "deactivate": (
        gettext_lazy("Deactivate the account"), gettext_lazy("Deactivate"),
        gettext_lazy("The account can no longer log in until it is reactivated."),
    ),
    "merge": (
        gettext_lazy("Merge another account of the same person into this one"),
        gettext_lazy("Merge the accounts"), "",
    ),
}


def _form(form_class: type[forms.Form], name: str, user: User, data=None) -> forms.Form:
    # A prefix per form: several forms share a page and field names such as "reason".
    extra = {FORM_ARGUMENTS[form_class]: user} if form_class in FORM_ARGUMENTS else {}
    return form_class(data, prefix=name, **extra)


def _applies(user: User, name: str) -> bool:
    """Whether an action makes sense for this account (the page shows only those)."""
    return {
        "resend_validation": bool(user.email) and not user.email_validated,
        "password_reset": bool(user.email) and user.is_active,
        "reactivate": not user.is_active,
        "deactivate": user.is_active,
        "security_check": bool(user.security_question),
        "address": hasattr(user, "guardian"),
    }.get(name, name in ACTIONS)


def _form_sections(user: User, forms_shown: dict[str, forms.Form]) -> list[dict]:
    """The forms that apply to this account, with their texts."""
    sections = []
    for name, (heading, button, intro) in FORM_TEXTS.items():
        if _applies(user, name):
            if name == "security_check":
                intro = intro % {"question": user.get_security_question_display()}
            sections.append({"name": name, "form": forms_shown[name], "heading": heading,
                             "button": button, "intro": intro})
    return sections


def _phones(guardian) -> list[tuple[str, str]]:
    if guardian is None:
        return []
    numbers = [(_("Main phone number"), guardian.primary_phone),
               (_("Cell phone"), guardian.cell_phone), (_("Work phone"), guardian.work_phone)]
    return [(label, format_phone(number)) for label, number in numbers if number]


@helpdesk_view
def account(request: HttpRequest, pk: int) -> HttpResponse:
    user = helpdesk_account(pk)
    forms_shown = {name: _form(form_class, name, user)
                   for name, (form_class, _handler) in ACTIONS.items() if form_class}
    if request.method == "POST":
        name = request.POST.get("action", "")
        if not _applies(user, name):
            return HttpResponse(status=400)
        form_class, handler = ACTIONS[name]
        form = _form(form_class, name, user, request.POST) if form_class else None
        if form is None or form.is_valid():
            level, message = handler(request, user, form)
            messages.add_message(request, level, message)
            return redirect("helpdesk:account", pk=user.pk)
        forms_shown[name] = form
    guardian = getattr(user, "guardian", None)
    return render(request, "admin/helpdesk/account.html", {
        **admin.site.each_context(request),
        "title": user.get_full_name() or user.username,
        "account": user,
        "guardian": guardian,
        "phones": _phones(guardian),
        "links": account_links(user),
        "history": [(event, ACTION_LABELS.get(event.action, event.action))
                    for event in account_history(user)],
        "buttons": [(name, label) for name, label in BUTTONS.items() if _applies(user, name)],
        "form_sections": _form_sections(user, forms_shown),
        "search_url": reverse("helpdesk:home"),
    })


urlpatterns = [
    path("", home, name="home"),
    path("comptes/<int:pk>/", account, name="account"),
]
