from django.conf import settings
from django.utils import translation


class PreferredLanguageMiddleware:
    """French unless the visitor chose otherwise.

    The portal is French first: the browser's Accept-Language is ignored. The language
    comes from the language cookie (set by the switcher), then the account's preference.
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
