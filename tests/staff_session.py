"""A member of staff's admin session as the admin requires it: logged in with a second
factor (accounts/staff.py lets no other session into /admin/)."""

import time

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import User


def totp_secret_for(user: User) -> str:
    """Give the account a TOTP device; its secret, for a browser test to type codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def admin_login(client, user: User) -> None:
    """Log the test client in as if through allauth's login and its TOTP step."""
    totp_secret_for(user)
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "username": user.username},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    # allauth keeps the records only for the user they were made for.
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
