"""The help desk's pages (Centre d'aide), in the admin's look, under /admin/centre-aide/.

Plain views rather than admin registrations: they act on accounts, not on one model's
rows. Each action (helpdesk.actions) is a POST, recorded in the audit trail, answered
with a message.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.scoping import is_helpdesk_agent
from helpdesk.actions import available, history_label
from helpdesk.forms import AccountSearchForm
from helpdesk.selectors import (
    access_code_searched,
    account_history,
    account_search,
    helpdesk_account,
)
from portail.formats import format_phone
from portail.submissions import FIELD, submission_first, submission_token
from students.selectors import account_children


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
    results = account_search(term)
    return render(request, "helpdesk/home.html", {
        **admin.site.each_context(request),
        "title": _("User help centre"),
        "form": form,
        "term": term,
        "results": results,
        # No account found: the term may be the code of a letter nobody signed up with yet.
        "access_code": None if results else access_code_searched(term),
    })


def _phones(guardian) -> list[tuple[str, str]]:
    if guardian is None:
        return []
    numbers = [(_("Main phone number"), guardian.primary_phone),
               (_("Cell phone"), guardian.cell_phone), (_("Work phone"), guardian.work_phone)]
    return [(label, format_phone(number)) for label, number in numbers if number]


@helpdesk_view
def account(request: HttpRequest, pk: int) -> HttpResponse:
    user = helpdesk_account(pk)
    actions = available(user)
    forms_shown = {action.name: action.make_form(user) for action in actions if action.form}
    if request.method == "POST":
        action = next((a for a in actions if a.name == request.POST.get("action")), None)
        if action is None:
            return HttpResponse(status=400)
        form = action.make_form(user, request.POST) if action.form else None
        if form is None or form.is_valid():
            if submission_first(request.POST.get(FIELD)):
                level, message = action.run(request, user, form)
            else:  # a double click, or Back and send again: one email, one check
                level, message = messages.WARNING, _("This form was already sent: nothing "
                                                     "was done again.")
            messages.add_message(request, level, message)
            return redirect("helpdesk:account", pk=user.pk)
        forms_shown[action.name] = form
    guardian = getattr(user, "guardian", None)
    return render(request, "helpdesk/account.html", {
        **admin.site.each_context(request),
        "title": user.get_full_name() or user.username,
        "account": user,
        "guardian": guardian,
        "phones": _phones(guardian),
        # What the parent sees, by the same rules as the portal's pages.
        "links": account_children(user),
        # Signed up with the school's code: these children come once the email is valid.
        "pending_links": (account_children(user, pending=True)
                          if user.signed_up_with_code else []),
        "history": [(event, history_label(event)) for event in account_history(user)],
        "buttons": [(action.name, action.label) for action in actions if not action.form],
        "form_sections": [
            {"name": action.name, "form": forms_shown[action.name], "heading": action.heading,
             "button": action.label, "intro": action.intro_for(user)}
            for action in actions if action.form
        ],
        "search_url": reverse("helpdesk:home"),
        # One token for the page's forms: any of them, once (the page after it has another).
        "submission": submission_token(),
    })
