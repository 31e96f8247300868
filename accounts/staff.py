"""Staff: the admin's two-step login guard."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The account whose TOTP device this session set up (its code was checked then).
TOTP_SET_UP_KEY = "staff_totp_set_up_by"


def passed_second_factor(request) -> bool:
    """Whether this session's login went through the TOTP step (allauth records it), or
    this session has just set up the device with a code from it."""
    return (request.session.get(TOTP_SET_UP_KEY) == request.user.pk
            or any(record.get("method") == "mfa"
                   for record in get_authentication_records(request, request.user)))


@receiver(authenticator_added)
def totp_set_up(sender, request, user, authenticator, **kwargs) -> None:
    """A new member of staff goes from the recovery codes to the admin without logging in
    again: the activation form checked a code from the new device."""
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        request.session[TOTP_SET_UP_KEY] = user.pk


class StaffTwoStepMiddleware:
    """The admin is reached only through allauth's login, and only with a second factor.

    Anonymous visitors go to allauth's login (its rate limits apply), never to Django's
    admin login form. A member of staff without a TOTP device is sent to set one up; a
    session that did not pass the TOTP step at login (a password alone, an old session)
    is logged out and sent to log in again. A parent is sent back to their home page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        admin_root = reverse("admin:index")
        if request.path.startswith(admin_root) and request.path != reverse("admin:logout"):
            refusal = self.refusal(request, admin_root)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def refusal(self, request, admin_root: str):
        user = request.user
        if not user.is_authenticated:
            wanted = (request.GET.get("next") if request.path == reverse("admin:login")
                      else request.get_full_path())
            return redirect_to_login(wanted or admin_root)
        if not user.is_staff:
            return redirect("home")  # a parent: the admin is not for them
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            messages.warning(request, _("Set up two-step login to open the administration."))
            return redirect("mfa_activate_totp")
        if not passed_second_factor(request):
            logout(request)
            messages.warning(request, _("Log in again with your two-step login code to open "
                                        "the administration."))
            return redirect_to_login(request.get_full_path())
        return None
