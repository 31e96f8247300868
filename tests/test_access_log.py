"""gunicorn's access log, as the image and bench/ configure it (gunicorn.conf.py), and Django's
request lines: the secret part of a calendar, unsubscribe, validation, reset, safe-arrival or
invitation link is never written, nor what a search or a filter was given."""

import datetime
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

BASE_DIR = Path(__file__).resolve().parent.parent
TOKEN = "k3J9-secret-token-xYz"


@pytest.mark.parametrize(("path", "shown", "secret"), [
    (f"/famille/calendrier/{TOKEN}.ics", "/famille/calendrier/[secret]", TOKEN),
    (f"/desabonnement/{TOKEN}/", "/desabonnement/[secret]/", TOKEN),
    (f"/compte/valider/{TOKEN}/", "/compte/valider/[secret]/", TOKEN),
    # allauth's own address for the same key still answers.
    (f"/comptes/confirm-email/{TOKEN}/", "/comptes/confirm-email/[secret]/", TOKEN),
    (f"/comptes/password/reset/key/4-{TOKEN}/", "/comptes/password/reset/key/[secret]/", TOKEN),
    (f"/absences/arrivee/{TOKEN}/", "/absences/arrivee/[secret]/", TOKEN),
    (f"/compte/personnel/invitation/2s/{TOKEN}/", "/compte/personnel/invitation/2s/[secret]/",
     TOKEN),
    # Staff's searches: an OEN, an email; a list's filters kept on the page opened from it.
    ("/admin/students/student/?q=999000001", "/admin/students/student/?q=[hidden]",
     "999000001"),
    ("/admin/centre-aide/?q=julie.tremblay%40example.com&o=1",
     "/admin/centre-aide/?q=[hidden]&o=[hidden]", "julie"),
    ("/admin/students/student/7/change/?_changelist_filters=q%3D999000001",
     "/admin/students/student/7/change/?_changelist_filters=[hidden]", "999000001"),
])
def test_the_access_log_hides_secrets_and_what_was_searched(tmp_path, path, shown, secret):
    config = Config()
    config.set("logger_class", runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))["logger_class"])
    log = tmp_path / "access.log"
    config.set("accesslog", str(log))
    # The default format, and the query string alone (an operator may log it).
    config.set("access_log_format", config.access_log_format + ' "%(q)s"')
    logger = config.logger_class(config)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path.partition("?")[0],
               "QUERY_STRING": path.partition("?")[2], "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "127.0.0.1",
               "HTTP_REFERER": "https://portail.example" + path}
    request = SimpleNamespace(headers=[("REFERER", "https://portail.example" + path)])

    response = SimpleNamespace(status="200 OK", sent=42, headers=[])
    logger.access(response, request, environ,
                  datetime.timedelta(milliseconds=5))

    line = log.read_text()
    assert f'"GET {shown} HTTP/1.1" 200 42 "https://portail.example{shown}"' in line
    assert secret not in line


@pytest.mark.django_db
def test_djangos_own_request_lines_hide_the_secret_too(client, caplog):
    """Django logs each 404 and 400 with its path ("Not Found: …"), beside the access log:
    a calendar link answers 404 before the timetable's publication and still works after."""
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(f"/famille/calendrier/{TOKEN}.ics").status_code == 404

    assert "Not Found: /famille/calendrier/[secret]" in caplog.text
    assert TOKEN not in caplog.text
