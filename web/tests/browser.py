"""Playwright driving Debian's Chromium against the live test server.

`page` fails the test on any console error, failed request or request to
another host, and `shot(name)` saves a screenshot under test-artifacts/.
`log_in(page, user)` gives the browser the session of a logged-in user.
`htmx_ready(page, selector)` waits until htmx has wired up swapped-in content;
`wait_until(page, expression)` until a JavaScript expression is true.
"""

import shutil
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
requires_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="Chromium is not installed (apt-get install chromium); CI always has it"
)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def wait_until(page, expression: str, arg=None, timeout: float = 30_000) -> None:
    """Wait until the JavaScript `expression` (or function of `arg`) is true in
    the page, polling every 50 ms for `timeout` ms. Playwright's own
    `wait_for_function` compiles its predicate with eval inside the page, which
    our Content-Security-Policy refuses (and the `page` fixture would report)."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"Still not true after {timeout} ms: {expression}")
        page.wait_for_timeout(50)


def htmx_ready(page, selector: str) -> None:
    """Wait until htmx has processed the element `selector` names. htmx wires up
    swapped-in content when it settles, a moment after it shows: an event fired
    on it before (a test selecting an option at once) would be lost."""
    wait_until(
        page,
        "(selector) => document.querySelector(selector)?.['htmx-internal-data']?.initHash !== undefined",
        selector,
    )


def log_in(page, user) -> None:
    """Log the browser in as `user` with a session made by the test client."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": page.live_url}])


def arrived(peer, count: int = 1, timeout: float = 15) -> list:
    """What the SMTP peer received, once it holds at least `count` messages."""
    deadline = time.monotonic() + timeout
    while len(peer.handler.received) < count:
        assert time.monotonic() < deadline, f"{count} message(s) did not arrive in {timeout:g} s"
        time.sleep(0.05)
    return peer.handler.received
