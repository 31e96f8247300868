import time
import unicodedata

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.utils import build_absolute_uri
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from accounts import lockouts, services
from accounts.middleware import set_language_cookie
from accounts.models import User
from accounts.recovery import site_url
from accounts.selectors import user_by_login
from outbox.services import email_queue

# allauth emails that share one of our templates (templates/emails/<name>_*.txt|html).
SHARED_TEMPLATES = {
    "account/email_confirmation_signup": "account/email_confirmation",
    "account/password_reset": "account/password_changed",
    "account/password_set": "account/password_changed",
}
# What allauth puts in an email's context for the duration of the request only.
REQUEST_BOUND = {"request", "current_site"}


def outbox_template(template_prefix: str) -> str:
    """allauth's "account/email/password_reset_key" is our "account/password_reset_key"."""
    name = template_prefix.replace("/email/", "/", 1)
    if name.startswith("mfa/"):
        return "mfa/two_step_changed"
    return SHARED_TEMPLATES.get(name, name)


def _ascii_lower(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def login_id_base(user: User) -> str:
    return _ascii_lower(user.first_name)[:1] + _ascii_lower(user.last_name)[:20]


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # The per-account limit (accounts/lockouts.py): the reset link lifts it.
        "too_many_login_attempts": gettext_lazy(
            "Too many failed login attempts. Try again later, or set up a new password: "
            "the emailed link lifts the limit at once."),
        # allauth's "Please type your current password." when a wrong one was typed.
        "enter_current_password": gettext_lazy("Your current password is not correct."),
    }

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Every allauth email goes through the outbox, in the recipient's language."""
        recipient = User.objects.filter(email__iexact=email).only("preferred_language").first()
        # The request ends before the email is written; our templates use site_url instead.
        kept = {name: value for name, value in context.items() if name not in REQUEST_BOUND}
        email_queue(
            recipient=email,
            template=outbox_template(template_prefix),
            context=kept,
            language=recipient.preferred_language if recipient else translation.get_language(),
        )

    def populate_username(self, request: HttpRequest, user: User) -> None:
        """The login ID: first initial and last name, made unique (atremblay, atremblay7)."""
        if user.username:
            return
        user.username = self.generate_unique_username([login_id_base(user), user.email,
                                                       "parent"])

    def confirm_email(self, request: HttpRequest, email_address) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            services.account_activate(request=request, email_address=email_address)
        return confirmed

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation) -> str:
        # Our view: a second POST on a used link gets a page, not a 404.
        url = reverse("accounts:confirm_email", args=[emailconfirmation.key])
        if request is None:  # in the worker (students.signup)
            return site_url(url)
        return build_absolute_uri(request, url)

    def get_email_verification_redirect_url(self, email_address) -> str:
        return reverse("accounts:activated")

    def get_password_change_redirect_url(self, request: HttpRequest) -> str:
        return reverse("accounts:security")

    def authenticate(self, request: HttpRequest, **credentials):
        # The account the login ID or email names: its counters are one, whichever was typed.
        login = credentials.get("email") or credentials.get("username") or ""
        self._account = lockouts.account_key(user_by_login(login), login)
        user = super().authenticate(request, **credentials)
        if user is not None:
            lockouts.login_succeeded(account=self._account)
        return user

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        # Our own counters instead of allauth's (why: accounts/lockouts.py).
        if lockouts.login_refused(account=self._account, ip=self.get_client_ip(request)):
            raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request: HttpRequest, **credentials) -> None:
        lockouts.failed_login_record(account=self._account, ip=self.get_client_ip(request))

    def post_login(self, request: HttpRequest, user: User, **kwargs):
        """The account's language on a browser that has none chosen yet: a parent who
        prefers English reads English on a new computer from the first page after login."""
        chosen_here = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
        if not chosen_here:  # before allauth's "signed in" message, written in it
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        response = super().post_login(request, user, **kwargs)
        if not chosen_here:
            set_language_cookie(response, user.preferred_language)
        return response

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A member of staff who has just typed their password (chosen through the
        invitation, or at the login that sent them to set up two-step login) sets up their
        first device without typing it a second time. allauth counts a reauthentication as
        recent, never the login itself."""
        if app == "allauth.mfa" and self.request is not None and (
                _invitation_password_recent(self.request)
                or _staff_first_device_after_login(self.request)):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)


def _invitation_password_recent(request: HttpRequest) -> bool:
    set_at = request.session.get(services.INVITATION_PASSWORD_SET_AT_KEY, 0)
    return time.time() - set_at < account_settings.REAUTHENTICATION_TIMEOUT


def _staff_first_device_after_login(request: HttpRequest) -> bool:
    user = request.user
    if not (user.is_authenticated and user.is_staff) or Authenticator.objects.filter(
            user=user).exists():
        return False
    records = get_authentication_records(request, user)
    return bool(records) and (time.time() - records[-1]["at"]
                              < account_settings.REAUTHENTICATION_TIMEOUT)
