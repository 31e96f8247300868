"""deploy/smoke-test's requests to web, as a browser behind the TLS proxy makes them.

Standard library only. Usage:
    smoke_requests.py pages PORT HOST        the login page and its hashed stylesheet
    smoke_requests.py reset PORT HOST EMAIL  a password reset asked through the form
    smoke_requests.py mail MAILDIR EMAIL     the reset email has arrived (waits 90 s)
"""

import http.client
import mailbox
import re
import sys
import time
import urllib.parse

LOGIN = "/comptes/login/"
RESET = "/comptes/password/reset/"


def fetch(port, host, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=20)
    connection.request(method, path, body=body, headers={
        "Host": host, "X-Forwarded-Proto": "https", **(headers or {})})
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return response, content


def expect(condition, message, detail=""):
    if not condition:
        sys.exit(f"smoke: FAILED: {message} {detail}")
    print(f"smoke: ok: {message}")


def pages(port, host):
    response, content = fetch(port, host, "GET", LOGIN)
    expect(response.status == 200, f"GET {LOGIN} answers 200", f"(got {response.status})")
    stylesheet = re.search(rb'<link rel="stylesheet" href="(/static/[^"]+\.[0-9a-f]{12}\.css)"',
                           content)
    expect(stylesheet, "the login page links a hashed stylesheet")
    path = stylesheet.group(1).decode()
    response, content = fetch(port, host, "GET", path, headers={"Accept-Encoding": "gzip"})
    expect(response.status == 200 and response.getheader("Content-Type", "").startswith(
        "text/css") and content, f"GET {path} answers 200 with a stylesheet")


def reset(port, host, email):
    response, content = fetch(port, host, "GET", RESET)
    expect(response.status == 200, f"GET {RESET} answers 200", f"(got {response.status})")
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", ""))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
    expect(cookie and token, "the reset form sets a CSRF cookie and token")
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode(), "email": email})
    response, _ = fetch(port, host, "POST", RESET, body=body, headers={
        "Cookie": f"csrftoken={cookie.group(1)}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"https://{host}", "Referer": f"https://{host}{RESET}"})
    location = response.getheader("Location", "")
    expect(response.status == 302 and location.endswith("/comptes/password/reset/done/"),
           f"POST {RESET} leads to the done page", f"(got {response.status} {location})")


def mail(maildir, email):
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        for message in mailbox.Maildir(maildir, create=False):
            if email in message["To"]:
                body = "".join(part.get_payload(decode=True).decode()
                               for part in message.walk() if not part.is_multipart())
                expect("/comptes/password/reset/key/" in body,
                       f"a reset email with its link reached {email}")
                return
        time.sleep(1)
    expect(False, f"a reset email reached {email} within 90 s")


if __name__ == "__main__":
    {"pages": pages, "reset": reset, "mail": mail}[sys.argv[1]](*sys.argv[2:])
