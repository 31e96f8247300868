"""gunicorn's access log without the secrets some links carry (gunicorn.conf.py).

A calendar link works for anyone who has it, for as long as the parent keeps it; the
unsubscribe, validation, reset, safe-arrival and staff invitation links likewise. The log
keeps which page was asked for, with the secret part replaced. What a search or a filter
was given (an OEN, an email, a name typed in the admin) is personal: the log keeps each
query parameter's name, not its value.
"""

import logging
import re

from gunicorn.glogging import Logger

SECRET_SEGMENT = re.compile(
    r"(/calendrier/|/desabonnement/|/password/reset/key/|/compte/valider/|/confirm-email/"
    r"|/absences/arrivee/"
    r"|/personnel/invitation/[^/?#\s\"]+/)[^/?#\s\"]+")
HIDDEN = r"\1[secret]"
QUERY_VALUE = re.compile(r"([?&][^=&#\s\"]*)=[^&#\s\"]*")


def hidden(text: str | None) -> str | None:
    if not text:
        return text
    return QUERY_VALUE.sub(r"\1=[hidden]", SECRET_SEGMENT.sub(HIDDEN, text))


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("r", "U", "f", "{referer}i"):
            if name in atoms:
                atoms[name] = hidden(atoms[name])
        if atoms.get("q"):  # the query string alone, without its "?"
            atoms["q"] = hidden(f"?{atoms['q']}")[1:]
        return atoms


class HiddenSecretsFilter(logging.Filter):
    """The same for Django's own request lines ("Not Found: /famille/calendrier/…"), which
    name the path of a link that may still work (a calendar feed before the timetable's
    publication, a safe-arrival link opened in another parent's session)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = hidden(record.getMessage()), None
        return True
