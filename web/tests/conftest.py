"""Fixtures of the web tests: `page`, a Chromium page on the live server that
fails its test on any console error, Content-Security-Policy violation,
failed request or request to another host."""

import os
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import translation

from core.tests.smtp_peers import SmtpPeer
from web.tests.browser import CHROMIUM


@pytest.fixture(autouse=True)
def _default_language():
    """A request in Russian leaves Russian active in this thread; start each test in the default."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`);
});
"""


def expected_refusal(page, text: str) -> bool:
    """Chromium logs every 4xx answer as a console error; not the ones the test expects."""
    found = re.match(r"Failed to load resource: the server responded with a status of (\d+)", text)
    return bool(found) and int(found.group(1)) in page.expected_statuses


def aborted_by_moving_on(request) -> bool:
    """An htmx request cancelled because the page moved on (a link followed, the
    element that asked replaced) is not a failure, nor the tab's icon of a page
    left before the browser fetched it (the next page asks for it again); a
    failed asset or page is."""
    if request.failure != "net::ERR_ABORTED":
        return False
    return request.resource_type in {"xhr", "fetch"} or urlsplit(request.url).path.endswith("/favicon.svg")


@pytest.fixture(scope="session")
def _live_server_connections_ended(django_db_setup, django_db_blocker):
    """The live server's request threads can keep their database connection past
    the last test (a browser's keep-alive connection): on PostgreSQL the test
    database could then not be dropped. End those sessions first."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def page(live_server, _live_server_connections_ended):
    playwright_sync = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # test makes between browser steps are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    problems: list[str] = []
    own_host = urlsplit(live_server.url).netloc
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(base_url=live_server.url, locale="en-US")
        # Anything the Content-Security-Policy blocks (an inline script or style, eval) fails the test.
        context.expose_function("reportCspViolation", lambda text: problems.append(f"CSP violation: {text}"))
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        page.on(
            "console",
            lambda m: (
                (m.type == "error" or m.text.startswith("Refused to"))
                and not expected_refusal(page, m.text)
                and problems.append(f"console {m.type}: {m.text}")
            ),
        )
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        # A page request answered with a download (a form post that exports CSV) ends "aborted" in Chromium
        # too: failed requests are judged at the end, when every download has been seen.
        failed, downloaded = [], set()
        page.on("requestfailed", lambda r: not aborted_by_moving_on(r) and failed.append(r))
        page.on("download", lambda d: downloaded.add(d.url))
        page.on(
            "request",
            lambda r: (
                urlsplit(r.url).scheme in {"http", "https"}
                and urlsplit(r.url).netloc != own_host
                and problems.append(f"request to another host: {r.url}")
            ),
        )
        # A test that expects refusals (a form with errors: 400; a delete refused: 409) adds them here.
        page.expected_statuses = set()
        page.on(
            "response",
            lambda r: (
                r.status >= 400
                and r.status not in page.expected_statuses
                and problems.append(f"HTTP {r.status}: {r.url}")
            ),
        )
        page.problems = problems
        page.live_url = live_server.url
        yield page
        problems.extend(
            f"request failed: {r.url} {r.failure}"
            for r in failed
            if not (r.url in downloaded and r.failure == "net::ERR_ABORTED")
        )
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert not problems, "\n".join(problems)


@pytest.fixture
def smtp(settings):
    """Every email of the service goes to a real SMTP server on loopback."""
    with SmtpPeer() as peer:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", peer.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield peer
