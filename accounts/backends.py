from allauth.account.auth_backends import AuthenticationBackend

from accounts.selectors import user_by_login


class LoginBackend(AuthenticationBackend):
    """The only backend: a login ID or an email, one lookup, one password check.

    With Django's ModelBackend beside allauth's, and allauth's trying the email then the
    username, a known email ran Argon2 three times and an unknown one twice. Here a known
    account runs its hash once, and anything else (unknown login, no usable password)
    runs allauth's dummy hash of the same hasher once, whichever the parent typed.
    """

    def _authenticate(self, request, **credentials):
        user = user_by_login(credentials.get("email") or credentials.get("username") or "")
        if user is None or not user.has_usable_password():
            return None  # authenticate() then runs the dummy hash
        return self._check_password(user, credentials["password"])
