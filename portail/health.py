"""/healthz (the process answers) and /readyz (the database and Redis answer too).

For Docker's HEALTHCHECK, compose and the proxy in front. A middleware placed first answers
them, before anything that would turn the check away: it calls http://127.0.0.1:8000, a
host that production's ALLOWED_HOSTS does not list, over the plain HTTP that
SECURE_SSL_REDIRECT redirects. ALLOWED_HOSTS still guards every other path, and the
answers say nothing but ok or not ready: why goes to the log.
"""

import logging

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

# Seconds each service has to answer (libpq's least connect_timeout is 2).
DATABASE_TIMEOUT = 2
REDIS_TIMEOUT = 1


def database_ready() -> bool:
    connection = connections[DEFAULT_DB_ALIAS]
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings_dict["OPTIONS"] = {**settings_dict["OPTIONS"],
                                    "connect_timeout": DATABASE_TIMEOUT}
    # A connection of its own, so that a request's open one (perhaps broken) is left alone.
    probe = type(connection)(settings_dict, DEFAULT_DB_ALIAS)
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception as error:
        logger.warning("Not ready: the database does not answer (%s).", error)
        return False
    finally:
        probe.close()


def redis_ready() -> bool:
    if not settings.REDIS_URL:
        return True  # the embedded default: no Redis to wait for
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=REDIS_TIMEOUT,
        socket_timeout=REDIS_TIMEOUT,
    )
    try:
        client.ping()
        return True
    except Exception as error:
        logger.warning("Not ready: Redis does not answer (%s).", error)
        return False
    finally:
        client.close()


def _answer(text: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(f"{text}\n", content_type="text/plain; charset=utf-8",
                            status=status)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            if request.path_info == "/healthz":
                return _answer("ok")
            if request.path_info == "/readyz":
                if database_ready() and redis_ready():
                    return _answer("ready")
                return _answer("not ready", status=503)
        return self.get_response(request)
