"""The real-browser harness: Chromium driven by Playwright against pytest-django's live_server.

Every browser test takes `page` (desktop) or `phone_page` (360 px wide), uses `live_server`
and is marked `@pytest.mark.browser` and `@pytest.mark.django_db(transaction=True)`, so the
server thread sees the test's data. A console error or a CSP violation fails the test.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import require
from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in the test thread; without this Django's ORM
# refuses to run there ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("PORTAIL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the machines run tests as root
    "--disable-gpu",
    # The network is closed: stop Chromium calling home and waiting on it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 780}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The portal's own pages also pass WCAG 2.2's AA rules (targets of 24 px) and axe's best
# practices; the admin's are Django's markup, held to WCAG 2.1 A and AA.
PORTAL_RULES = [*WCAG_21_AA, "wcag22aa", "best-practice"]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    require(Path(CHROMIUM).is_file(), f"needs Chromium at {CHROMIUM} (set PORTAIL_CHROMIUM)")
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except PlaywrightError as error:
        require(False, f"Playwright cannot launch {CHROMIUM}: {error.message.splitlines()[0]}")
    yield chromium
    chromium.close()


def _open_page(browser: Browser, viewport: dict) -> Iterator[Page]:
    context = browser.new_context(locale="fr-CA", viewport=viewport,
                                  timezone_id="America/Toronto")
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # CSP violations are reported to the console as errors too.
        if message.type == "error":
            problems.append(f"{message.text} ({message.location.get('url', '?')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    yield page
    context.close()
    if problems:
        pytest.fail("Browser console errors:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A desktop-sized page, fresh context (no cookies) per test."""
    yield from _open_page(browser, DESKTOP)


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    """A phone-sized page (360 × 780)."""
    yield from _open_page(browser, PHONE)


def axe_check(page: Page, *, preload: bool = True) -> None:
    """Fail on any WCAG 2.0/2.1 A or AA violation axe-core finds on the current page (on
    the portal's pages, any WCAG 2.2 AA or best-practice one too).

    Axe().run() injects axe-core with page.evaluate, which runs through the DevTools
    protocol and is not subject to the page's CSP: no bypass_csp needed. `preload=False`
    for the admin's pages: axe's preload of the style sheets resolves forms.css's
    `@import url('widgets.css')` against the page's URL (a 404) and parses them in an
    inline style the CSP refuses, two console errors; only its orientation-lock rule
    needs them, and no admin style sheet locks the orientation.
    """
    rules = WCAG_21_AA if urlsplit(page.url).path.startswith("/admin/") else PORTAL_RULES
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": rules}, "preload": preload}
    )
    violations = results.response["violations"]
    if violations:
        report = [
            f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
            + "\n".join(f"    {', '.join(map(str, node['target']))}: {node['html']}"
                        for node in violation["nodes"])
            for violation in violations
        ]
        pytest.fail(f"axe on {page.url}:\n" + "\n".join(report), pytrace=False)


def assert_no_horizontal_scroll(page: Page) -> None:
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways: {scroll_width} > {width} px"


def login(page: Page, live_server, user) -> None:
    """Log in through the real login form and wait for the home page."""
    page.goto(live_server.url + reverse("account_login"))
    form = page.locator("main form:has(input[name=login])")
    form.locator("input[name=login]").fill(user.username)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(live_server.url + reverse("home"))
