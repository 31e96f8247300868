from allauth.account.utils import perform_login
from allauth.account.views import ConfirmEmailView
from allauth.core import ratelimit
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import (
    GeneralPreferencesForm,
    LoginIdRecoveryForm,
    SecurityQuestionForm,
    StaffPasswordForm,
)
from accounts.middleware import set_language_cookie


class ValidationView(ConfirmEmailView):
    """The email's "Valider votre compte" link: GET shows a button, only POST validates.

    allauth answers a POST on a used or expired link with a bare 404 (a second click, or
    Back and submit again); this shows the page that offers to start again instead.
    """

    def post(self, *args, **kwargs):
        try:
            return super().post(*args, **kwargs)
        except Http404:
            self.object = None
            return self.render_to_response(self.get_context_data())


# Both name the parent's email (and the login ID) to a browser not yet logged in, which
# PrivatePagesMiddleware leaves alone: no cache keeps them for the next person.
confirm_email = never_cache(ValidationView.as_view())


@never_cache
def activated(request: HttpRequest) -> HttpResponse:
    """After the validation link: the account is active, here is the login ID."""
    login_id = request.session.pop(services.ACTIVATED_LOGIN_ID_KEY, None)
    if login_id is None:
        return redirect("account_login")
    return render(request, "accounts/activated.html", {"login_id": login_id})


def recovery(request: HttpRequest) -> HttpResponse:
    """Initialisation d'un nouveau mot de passe: recover the login ID or reset the password."""
    return render(request, "accounts/recovery.html")


@never_cache
def recover_login_id(request: HttpRequest) -> HttpResponse:
    form = LoginIdRecoveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        if ratelimit.consume(request, action="recover_login_id", key=email):
            services.login_id_recover_request(email=email)
        # Known, unknown or over the limit: the same answer.
        return render(request, "accounts/login_id_sent.html", {"email": email})
    return render(request, "accounts/recover_login_id.html", {"form": form})


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """The header's Français/English button (Django's set_language). Logged in, the choice
    is also the account's language, which its emails follow: a parent who reads the portal
    in English gets English emails without a visit to the preferences."""
    response = i18n.set_language(request)
    language = request.POST.get("language")
    if (request.user.is_authenticated and language != request.user.preferred_language
            and language in dict(settings.LANGUAGES)):
        services.preferred_language_set(user=request.user, language=language)
    return response


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Définir les préférences, tab Général: display name and language."""
    form = GeneralPreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.preferred_language)
        messages.success(request, _("Your preferences have been saved."))
        response = redirect("accounts:preferences")
        set_language_cookie(response, user.preferred_language)
        return response
    return render(request, "accounts/preferences.html", {"form": form})


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """Définir les préférences, tab Sécurité: password, security question, two-step login."""
    form = SecurityQuestionForm(request.POST or None, user=request.user)
    # The form checks the current password: limited as allauth's password change is, on a
    # count of its own (a parent who just changed the password may change this too).
    if request.method == "POST" and not ratelimit.consume(request,
                                                          action="change_security_question"):
        messages.error(request, _("Too many attempts. Wait a few minutes and try again."))
        return redirect("accounts:security")
    if request.method == "POST" and form.is_valid():
        services.security_answer_set(user=request.user,
                                     question=form.cleaned_data["security_question"],
                                     answer=form.cleaned_data["security_answer"])
        messages.success(request, _("Your security question has been changed."))
        return redirect("accounts:security")
    return render(request, "accounts/security.html", {
        "form": form, "two_step_enabled": is_mfa_enabled(request.user),
    })


@never_cache
def staff_invitation(request: HttpRequest, uidb36: str, key: str) -> HttpResponse:
    """The staff invitation's link: the password, once; then two-step login (allauth's
    page, without asking for the password again), its recovery codes, the admin."""
    user = services.staff_invitation_user(uidb36=uidb36, key=key)
    if user is None:
        return render(request, "accounts/staff_invitation.html", {"link_failed": True},
                      status=404)
    form = StaffPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.staff_invitation_accept(request=request, user=user,
                                         password=form.cleaned_data["password"])
        return perform_login(request, user, redirect_url=reverse("mfa_activate_totp"))
    return render(request, "accounts/staff_invitation.html", {"form": form, "invited": user})
