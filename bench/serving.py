"""What the page benchmarks share besides bench/family.py's server, login and page checks:
gunicorn started as the Dockerfile starts it, sessions opened as a login opens them, and wrk
driven by a Lua script of many (path, cookie) requests that reports its rate, latency
percentiles and errors.
"""

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def dockerfile_gunicorn(application: str, port: int, code: Path = BASE_DIR) -> list[str]:
    """The Dockerfile's own CMD (workers, threads, access log: whatever it says), on this
    application and a loopback port, so that a benchmark serves as production does."""
    text = (code / "Dockerfile").read_text()
    command = json.loads(re.search(r"^CMD (\[.*\])\s*$", text, re.MULTILINE).group(1))
    if command[0] != "gunicorn":
        sys.exit(f"The Dockerfile's CMD is not gunicorn: {command}")
    swap = {"portail.wsgi:application": application, "0.0.0.0:8000": f"127.0.0.1:{port}"}
    return [sys.executable, "-m", "gunicorn", *(swap.get(part, part) for part in command[1:])]


def open_sessions(users) -> dict[int, str]:
    """One session per user in the configured store (with REDIS_URL, the production one),
    holding what a login writes (allauth's backend, the password hash, the session clocks
    of accounts.middleware); each user's Cookie header. The server must share the secret
    key of the process that calls this."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore
    now = int(time.time())
    cookies = {}
    for user in users:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session["started_at"] = session["last_seen_at"] = now
        session.create()
        cookies[user.pk] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return cookies


# wrk's Lua: each request is the next row from the offset given (one wrk thread, so one
# counter); responses other than 2xx are counted (wrk itself counts only 4xx and 5xx), and
# done() prints one line.
_LUA = """
local i = 0
non2xx = 0
init = function(args) i = tonumber(args[1]) or 0 end
request = function()
  i = i % #requests + 1
  return wrk.format('GET', requests[i][1], {['Cookie'] = requests[i][2]})
end
response = function(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get('non2xx') end
  local e = summary.errors
  io.write(string.format('RESULT %d %d %d %d %d %d %d\\n', summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), bad, e.connect + e.read + e.write + e.timeout))
end
"""


def lua_script(path: Path, requests: list[tuple[str, str]]) -> Path:
    """wrk's script for these (path, Cookie header) requests, sent in this order, in turn."""
    rows = ",\n".join(f'  {{"{target}", "{cookie}"}}' for target, cookie in requests)
    path.write_text(f"requests = {{\n{rows}\n}}\n{_LUA}")
    return path


@dataclass(frozen=True)
class WrkResult:
    rate: float  # responses a second
    p50: float  # milliseconds
    p95: float
    p99: float
    non_2xx: int
    socket_errors: int
    requests: int

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def wrk_run(port: int, script: Path, *, seconds: int, connections: int,
            offset: int = 0) -> WrkResult:
    result = subprocess.run(  # noqa: S603
        ["wrk", "--threads", "1", "--connections", str(connections),  # noqa: S607
         "--duration", f"{seconds}s", "--timeout", "10s", "--script", str(script),
         f"http://127.0.0.1:{port}/", "--", str(offset)],
        capture_output=True, text=True, check=True)
    line = re.search(r"^RESULT (.*)$", result.stdout, re.MULTILINE)
    if line is None:
        sys.exit(f"wrk printed no result:\n{result.stdout}\n{result.stderr}")
    requests, duration_us, p50, p95, p99, non_2xx, socket_errors = map(
        int, line.group(1).split())
    return WrkResult(rate=requests / (duration_us / 1e6), p50=p50 / 1000, p95=p95 / 1000,
                     p99=p99 / 1000, non_2xx=non_2xx, socket_errors=socket_errors,
                     requests=requests)
