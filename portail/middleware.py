import re

from django.http import Http404

# No URL of ours holds a control character; PostgreSQL refuses NUL in text outright, so a
# token or key holding one (/famille/calendrier/%00.ics) answered 500.
IMPOSSIBLE = re.compile(r"[\x00-\x1f\x7f]")


class ImpossiblePathMiddleware:
    """A path with a control character in it (NUL, line breaks...), or a query parameter
    with a NUL, is a 404, before any view looks it up. Form fields sent by POST get their
    own French error (Django's CharField)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if IMPOSSIBLE.search(request.path_info):
            raise Http404
        # Nor does any query parameter hold a NUL (an admin list's filter, ?q=): PostgreSQL
        # would refuse it with a 500.
        if any("\x00" in name or any("\x00" in value for value in values)
               for name, values in request.GET.lists()):
            raise Http404
        return self.get_response(request)
