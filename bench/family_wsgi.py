"""The portal's WSGI application plus one bare view, for bench/family.py only.

The bare view is the reference: it goes through the same gunicorn workers and the same
middleware (session, language, authentication, CSP...) as the Famille pages, and renders
nothing. It is added to the URLs here, never in the project.
"""

import os

import django
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

BARE_PATH = "bench/bare/"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portail.settings")
django.setup()

from portail import urls  # noqa: E402 (the URL module needs the apps loaded)


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urls.urlpatterns.append(path(BARE_PATH, bare, name="bench_bare"))
application = get_wsgi_application()
