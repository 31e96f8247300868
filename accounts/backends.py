from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.selectors import user_by_login
from portail.compiled import CompiledQuery

# The user of every request, by the id in the session: its SQL compiled once per process
# (portail.compiled), its row read on every request (it decides access: never cached).
USER_BY_ID = CompiledQuery(lambda user_id: get_user_model()._default_manager.filter(pk=user_id))


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

    def get_user(self, user_id):
        """ModelBackend's, without the ORM building and compiling the query each time."""
        try:
            users = USER_BY_ID.rows(get_user_model()._meta.pk.to_python(user_id))
        except ValidationError:
            return None
        return users[0] if users and self.user_can_authenticate(users[0]) else None
