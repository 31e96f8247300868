"""A parent's sign-up, in two steps: who they are (a new parent's details, or an existing
parent's code from the school), then allauth's account form. It lives beside the guardian
records because finishing it links the account to one (students.adapter)."""

from allauth.account.views import SignupView
from allauth.core import ratelimit
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from students import services
from students.signup_forms import AccessCodeForm, SignupProfileForm

# What step 1 was sent with, kept over the redirect that shows its errors.
SIGNUP_PROFILE_DRAFT_KEY = "signup_profile_draft"


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
            # Unbound: checking the code now would tell whether it is valid, past the limit.
            form = AccessCodeForm(initial={"last_name": request.POST.get("last_name", "")})
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
        # Known address or new, the same work and the same answer: the worker makes the
        # account or tells the address's owner (students/signup.py).
        services.signup_queue(
            request=self.request, email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            security_question=form.cleaned_data["security_question"],
            security_answer=form.cleaned_data["security_answer"],
        )
        return redirect("account_email_verification_sent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        existing_parent = services.SIGNUP_ACCESS_CODE_KEY in self.request.session
        context["existing_parent"] = existing_parent
        context["previous_url"] = reverse(
            "accounts:signup_code" if existing_parent else "accounts:signup_profile"
        )
        return context


signup_account = SignupAccountView.as_view()


# Under the "accounts" namespace with the rest of the account pages (portail/urls.py).
urlpatterns = [
    path("creer/", signup, name="signup"),
    path("creer/nouveau-parent/", signup_profile, name="signup_profile"),
    path("creer/code/", signup_with_code, name="signup_code"),
    path("creer/connexion/", signup_account, name="signup_account"),
]
