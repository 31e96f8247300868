"""gunicorn's access log, as the image and bench/ configure it (gunicorn.conf.py): the
secret part of a calendar, unsubscribe, validation, reset, safe-arrival or invitation link
is never written."""

import datetime
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

BASE_DIR = Path(__file__).resolve().parent.parent
TOKEN = "k3J9-secret-token-xYz"


@pytest.mark.parametrize(("path", "shown"), [
    (f"/famille/calendrier/{TOKEN}.ics", "/famille/calendrier/[secret]"),
    (f"/desabonnement/{TOKEN}/", "/desabonnement/[secret]/"),
    (f"/compte/valider/{TOKEN}/", "/compte/valider/[secret]/"),
    (f"/comptes/password/reset/key/4-{TOKEN}/", "/comptes/password/reset/key/[secret]/"),
    (f"/absences/arrivee/{TOKEN}/", "/absences/arrivee/[secret]/"),
    (f"/compte/personnel/invitation/2s/{TOKEN}/", "/compte/personnel/invitation/2s/[secret]/"),
])
def test_the_access_log_hides_the_secret_in_links(tmp_path, path, shown):
    config = Config()
    config.set("logger_class", runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))["logger_class"])
    log = tmp_path / "access.log"
    config.set("accesslog", str(log))
    logger = config.logger_class(config)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path,
               "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_REFERER": "https://portail.example" + path}
    request = SimpleNamespace(headers=[("REFERER", "https://portail.example" + path)])

    response = SimpleNamespace(status="200 OK", sent=42, headers=[])
    logger.access(response, request, environ,
                  datetime.timedelta(milliseconds=5))

    line = log.read_text()
    assert f'"GET {shown} HTTP/1.1" 200 42 "https://portail.example{shown}"' in line
    assert TOKEN not in line
