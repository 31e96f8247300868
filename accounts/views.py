from allauth.account.views import ConfirmEmailView, SignupView
from allauth.core import ratelimit
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts import services
from accounts.forms import (
    AccessCodeForm,
    GeneralPreferencesForm,
    LoginIdRecoveryForm,
    SecurityQuestionForm,
    SignupProfileForm,
)

# What step 1 was sent with, kept over the redirect that shows its errors.
SIGNUP_PROFILE_DRAFT_KEY = "signup_profile_draft"


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language,
        max_age=settings.LANGUAGE_COOKIE_AGE, secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def signup(request: HttpRequest) -> HttpResponse:
    """Création d'un compte Portail Famille: an existing parent, or a new one."""
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "accounts/signup_choice.html")


@never_cache
def signup_profile(request: HttpRequest) -> HttpResponse:
    """A new parent's step 1; kept in the session so Back and Next keep what was typed.

    A POST always redirects, to step 2 or here to show its errors: the browser's history
    then holds only GETs, and its Back button never asks to send the form again.
    """
    if request.method == "POST":
        form = SignupProfileForm(request.POST)
        if form.is_valid():
            request.session[services.SIGNUP_PROFILE_KEY] = form.cleaned_data
            request.session.pop(services.SIGNUP_ACCESS_CODE_KEY, None)
            return redirect("accounts:signup_account")
        request.session[SIGNUP_PROFILE_DRAFT_KEY] = {
            name: request.POST.get(name, "") for name in form.fields
        }
        return redirect("accounts:signup_profile")
    draft = request.session.pop(SIGNUP_PROFILE_DRAFT_KEY, None)
    if draft is not None:
        form = SignupProfileForm(draft)
        form.full_clean()  # the errors of the POST just redirected
    else:
        form = SignupProfileForm(initial=request.session.get(services.SIGNUP_PROFILE_KEY))
    return render(request, "accounts/signup_profile.html", {"form": form})


@never_cache
def signup_with_code(request: HttpRequest) -> HttpResponse:
    """An existing parent's first step: the school's one-time code and their last name."""
    form = AccessCodeForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.consume(request, action="access_code"):
            messages.error(request, _("Too many attempts. Wait a few minutes and try again."))
            return render(request, "accounts/signup_code.html", {"form": form}, status=429)
        if form.is_valid():
            request.session[services.SIGNUP_ACCESS_CODE_KEY] = form.access_code.pk
            request.session.pop(services.SIGNUP_PROFILE_KEY, None)
            return redirect("accounts:signup_account")
    return render(request, "accounts/signup_code.html", {"form": form})


class SignupAccountView(SignupView):
    """Step 2 (allauth's sign-up): email, password, security question and answer."""

    template_name = "accounts/signup_account.html"

    def dispatch(self, request, *args, **kwargs):
        started = (services.SIGNUP_PROFILE_KEY in request.session
                   or services.SIGNUP_ACCESS_CODE_KEY in request.session)
        if not started and not request.user.is_authenticated:
            return redirect("accounts:signup")
        code_id = request.session.get(services.SIGNUP_ACCESS_CODE_KEY)
        if code_id is not None and not services.access_code_is_usable(code_id):
            # Expired or claimed since the first step: the account would not be linked.
            request.session.pop(services.SIGNUP_ACCESS_CODE_KEY)
            messages.error(request, AccessCodeForm.INVALID_MESSAGE)
            return redirect("accounts:signup_code")
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # "Courriel principal", as the portal calls it everywhere; allauth says "Email".
        form.fields["email"].label = _("Main email")
        return form

    def form_valid(self, form):
        if form.account_already_exists:
            # No account is made, so hash what a new account would (its password and
            # security answer): the answer must not come back faster for a known address.
            make_password(form.cleaned_data["password1"])
            make_password(form.cleaned_data["security_answer"])
        response = super().form_valid(form)
        # Same state after a known address as after a new one: step 1 is forgotten.
        self.request.session.pop(services.SIGNUP_PROFILE_KEY, None)
        self.request.session.pop(services.SIGNUP_ACCESS_CODE_KEY, None)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        existing_parent = services.SIGNUP_ACCESS_CODE_KEY in self.request.session
        context["existing_parent"] = existing_parent
        context["previous_url"] = reverse(
            "accounts:signup_code" if existing_parent else "accounts:signup_profile"
        )
        return context


signup_account = SignupAccountView.as_view()


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


confirm_email = ValidationView.as_view()


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
            services.login_id_recover(request=request, email=email)
        # Known, unknown or over the limit: the same answer.
        return render(request, "accounts/login_id_sent.html", {"email": email})
    return render(request, "accounts/recover_login_id.html", {"form": form})


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Définir les préférences, tab Général: display name and language."""
    form = GeneralPreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.preferred_language)
        messages.success(request, _("Your preferences have been saved."))
        response = redirect("accounts:preferences")
        _set_language_cookie(response, user.preferred_language)
        return response
    return render(request, "accounts/preferences.html", {"form": form})


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """Définir les préférences, tab Sécurité: password, security question, two-step login."""
    form = SecurityQuestionForm(request.POST or None, user=request.user)
    # The form checks the current password: limited as allauth's password change is.
    if request.method == "POST" and not ratelimit.consume(request, action="change_password"):
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
