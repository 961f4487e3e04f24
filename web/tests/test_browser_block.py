"""Blocking a user asks first, says what happens and takes an optional reason,
which the user reads when their log-in is refused and managers see in the list."""

import pytest

from core.tests.factories import MailingFactory
from web.tests.browser import log_in, requires_chromium, shot

pytestmark = [pytest.mark.browser, requires_chromium]

PASSWORD = "block-Passphrase-2026"


def test_block_asks_and_keeps_a_reason(page, transactional_db):
    from conftest import make_user
    from core import roles

    nora = make_user("nora@example.com")
    nora.set_password(PASSWORD)
    nora.save()
    MailingFactory(owner=nora)
    log_in(page, make_user("manager@example.com", roles.MANAGER))
    page.goto("/manage/users/")
    assert page.locator(".breadcrumb").inner_text().split() == ["Home", "Manager", "Users"]
    row = page.locator(f"tr[data-user='{nora.pk}']")
    row.get_by_role("link", name="Block").click()

    # nothing happens before the manager confirms
    page.get_by_role("heading", name="Block nora@example.com?").wait_for()
    nora.refresh_from_db()
    assert nora.is_active
    text = page.locator("main").inner_text()
    assert "cannot log in" in text and "1 enabled mailing stops sending" in text
    page.get_by_label("Reason (optional)").fill("Unpaid invoice")
    shot(page, "block-confirm")
    page.get_by_role("button", name="Block").click()
    page.wait_for_url("**/manage/users/")
    row.get_by_text("Blocked").wait_for()
    assert row.locator("[data-block-reason]").inner_text() == "Unpaid invoice"
    nora.refresh_from_db()
    assert not nora.is_active and nora.block_reason == "Unpaid invoice"
    shot(page, "block-listed")

    # the user reads the reason when log-in is refused
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("nora@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.expected_statuses.add(400)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Your account has been blocked: “Unpaid invoice”.").wait_for()

    # unblocking clears the reason
    log_in(page, make_user("admin@example.com", None))
    page.goto("/manage/users/")
    row.get_by_role("button", name="Unblock").click()
    row.get_by_text("Active").wait_for()
    nora.refresh_from_db()
    assert nora.is_active and nora.block_reason == ""
