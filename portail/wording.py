"""Third-party wording we translate ourselves: allauth's and Django's French for these
msgids says "e-mail", "pseudo" or "authentification à deux facteurs" where the portal says
"courriel", "identifiant de connexion" and "connexion en deux étapes" (the guide's words),
or slips ("Ajout de utilisateur", "vous pourrez modifiez"). Our catalogue comes first
(LOCALE_PATHS): listed here, makemessages keeps them in it, and
tests/test_wording.py checks each one is ours."""

from django.utils.translation import gettext_noop

THIRD_PARTY_MSGIDS = (
    # allauth: the login, its messages, the email admin, two-step login.
    gettext_noop("The username and/or password you specified are not correct."),
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("Username or email"),
    gettext_noop("Forgot your password?"),
    gettext_noop("Confirmation email sent to %(email)s."),
    gettext_noop("Your email has been confirmed."),
    gettext_noop("Email address"),
    gettext_noop("Email Address"),
    gettext_noop("Email Addresses"),
    gettext_noop("email address"),
    gettext_noop("email addresses"),
    gettext_noop("email confirmation"),
    gettext_noop("email confirmations"),
    gettext_noop("Your primary email address must be verified."),
    gettext_noop("The email address is not assigned to any user account."),
    gettext_noop("A user is already registered with this email address."),
    gettext_noop("You cannot activate two-factor authentication until you have verified your "
                 "email address."),
    gettext_noop("MFA"),
    gettext_noop("TOTP Authenticator"),
    # Django's admin.
    gettext_noop("Add %s"),
    gettext_noop("Change %s"),
    gettext_noop("View %s"),
    gettext_noop("%(app)s administration"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
)
