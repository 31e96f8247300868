from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a stale page (signed in or out in another tab since, open too long)
    or without the portal's cookies: the portal's own page, in the visitor's language, not
    Django's technical one (CSRF_FAILURE_VIEW)."""
    return render(request, "403_csrf.html", status=403)
