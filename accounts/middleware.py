import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import translation
from django.utils.cache import add_never_cache_headers


def set_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language,
        max_age=settings.LANGUAGE_COOKIE_AGE, secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class PreferredLanguageMiddleware:
    """French unless the visitor chose otherwise.

    The portal is French first: the browser's Accept-Language is ignored. The language
    comes from the language cookie: set by the switcher, by saving the preferences, and at
    login to the account's preference if this browser has none yet
    (accounts.adapter.AccountAdapter.post_login).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SessionTimeoutMiddleware:
    """Log out after SESSION_IDLE_TIMEOUT without a request, or SESSION_COOKIE_AGE after login.

    The clocks start on the login request itself. The last-activity time is written at most
    once a minute, so a busy parent does not cost a session write on every page.
    """

    TOUCH_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and self._expired(request.session):
            logout(request)
            return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        # After the view: true for the login request too (login() sets request.user).
        if request.user.is_authenticated:
            self._touch(request.session)
        return response

    @staticmethod
    def _expired(session) -> bool:
        now = int(time.time())
        started = session.get("started_at", now)
        last_seen = session.get("last_seen_at", now)
        return (now - last_seen > settings.SESSION_IDLE_TIMEOUT
                or now - started > settings.SESSION_COOKIE_AGE)

    def _touch(self, session) -> None:
        now = int(time.time())
        session.setdefault("started_at", now)
        if now - session.get("last_seen_at", 0) >= self.TOUCH_EVERY:
            session["last_seen_at"] = now


class PrivatePagesMiddleware:
    """A signed-in user's pages are kept by no browser cache or proxy: on a shared computer,
    Back after logging out must not show a child's details again. A view that set its own
    Cache-Control (a report card's file) keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response
