"""A form with errors keeps the page: its messages show next to their fields in
the dialog, under `make run` (DEBUG on, django-htmx's debug script loaded,
which writes 4xx answers over the document) as in production."""

import pytest

from core.models import Client
from core.tests.factories import ClientFactory, MessageFactory
from web.tests.browser import log_in, requires_chromium, shot

pytestmark = [pytest.mark.browser, requires_chromium]


@pytest.mark.parametrize("debug", [True, False], ids=["make-run", "production"])
def test_errors_show_in_the_dialog(page, transactional_db, settings, debug):
    from conftest import make_user

    settings.DEBUG = debug
    user = make_user("user@example.com")
    ClientFactory(owner=user, email="ann@example.com")
    MessageFactory(owner=user, subject="News")
    page.expected_statuses.add(400)
    log_in(page, user)

    page.goto("/clients/")
    assert page.locator("script[src*='django-htmx.js']").count() == (1 if debug else 0)
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="New client").click()
    dialog = page.get_by_role("dialog", name="New client")
    dialog.get_by_label("Email").fill("ann@example.com")
    dialog.get_by_role("button", name="Create").click()
    dialog.locator("#id_email-errors").wait_for()
    assert page.get_by_role("navigation", name="Main").is_visible()
    assert page.locator("h1").inner_text() == "Clients"
    assert Client.objects.filter(owner=user).count() == 1
    shot(page, f"form-errors-client-{'debug' if debug else 'production'}")

    page.goto("/mailings/")
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="New mailing").click()
    dialog = page.get_by_role("dialog", name="New mailing")
    dialog.get_by_role("button", name="Create").click()
    dialog.locator(".invalid-feedback").first.wait_for()
    assert dialog.get_by_text(
        "Choose at least one client or list."
    ).is_visible()  # not DRF's "This list may not be empty."
    assert page.locator("h1").inner_text() == "Mailings"
    assert page.get_by_role("navigation", name="Main").is_visible()


def test_a_form_sent_before_htmx_wired_it_up_is_still_answered_in_the_dialog(page, transactional_db):
    """htmx wires up content it swapped in when the swap settles, a moment after it shows. A form
    sent in that moment (a quick click, a slow phone) is sent by htmx all the same: the browser
    itself would leave the page for the form's own address. The moment is made long here."""
    page.expected_statuses.add(400)
    user = _clients_page_settling_slowly(page, "ann@example.com")

    page.get_by_role("button", name="New client").click()
    dialog = page.get_by_role("dialog", name="New client")
    dialog.get_by_label("Email").fill("ann@example.com")
    dialog.get_by_role("button", name="Create").click()
    dialog.locator("#id_email-errors").wait_for()
    assert page.url.endswith("/clients/")
    assert Client.objects.filter(owner=user).count() == 1


def test_a_button_clicked_before_htmx_wired_it_up_still_opens_its_dialog(page, transactional_db):
    """The same moment for a row's button in a list just swapped in: its click was lost (the
    button did nothing). Sorting the list swaps it in; the settle delay makes the moment 5 s."""
    _clients_page_settling_slowly(page, "ann@example.com", "bob@example.com")
    requests = []
    page.on("request", lambda request: requests.append(request.url) if "/form/" in request.url else None)

    page.get_by_role("link", name="Email").click()  # sorts: the list is swapped in anew
    page.locator("#clients-list.htmx-added").wait_for(state="attached")
    page.locator("#clients-list tr", has_text="bob@example.com").get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit")
    dialog.get_by_label("Email").wait_for(timeout=3000)  # well before the swap settles
    assert dialog.get_by_label("Email").input_value() == "bob@example.com"
    assert len(requests) == 1  # asked once, not twice


def _clients_page_settling_slowly(page, *emails):
    """A user with these clients on their clients page, where htmx takes 5 s to wire up what it
    swaps in: the moment a quick click or a slow phone falls into, made long."""
    from conftest import make_user

    user = make_user("owner@example.com")
    for email in emails:
        ClientFactory(owner=user, email=email)
    log_in(page, user)
    page.goto("/clients/")
    page.wait_for_load_state("networkidle")
    page.evaluate("htmx.config.defaultSettleDelay = 5000")
    return user
