"""Add a test address on the profile page, confirm it from the email that reaches an SMTP
server, and send a test of a message to it from the message's dialog: it arrives there."""

import re

import pytest

from core.models import Message
from core.tests.factories import ClientFactory
from web.tests.browser import arrived, htmx_ready, log_in, requires_chromium, shot
from web.tests.test_browser_audit import axe_problems, layout_problems

pytestmark = [pytest.mark.browser, requires_chromium]


def test_add_confirm_and_send_a_test_to_a_test_address(page, transactional_db, smtp, settings):
    from conftest import make_user

    settings.SITE_URL = page.live_url
    owner = make_user("nora@example.com")
    owner.full_name = "Nora Bakery"
    owner.save()
    ClientFactory(owner=owner, email="ann@example.com", full_name="Ann Archer")
    Message.objects.create(owner=owner, subject="Autumn for {full_name}", body="Fresh loaves, {full_name}.")
    log_in(page, owner)

    page.goto("/accounts/profile/")
    htmx_ready(page, "#test-addresses-form")
    page.get_by_label("Add a test address").fill("phone@example.org")
    page.get_by_role("button", name="Add", exact=True).click()
    page.locator("#test-addresses-rows", has_text="phone@example.org").get_by_text(
        "Waiting for confirmation"
    ).wait_for()
    assert axe_problems(page, "the profile page with a test address") == []
    shot(page, "test-address-added")

    (verification,) = arrived(smtp)
    assert verification.rcpt_tos == ["phone@example.org"]
    text = verification.message.get_body(("plain",)).get_content()
    assert "Nora Bakery (nora@example.com) would like to send tests" in text
    (link,) = re.findall(r"https?://\S+/accounts/test-addresses/confirm/\S+/", text)
    page.goto(link.removeprefix(page.live_url))
    page.get_by_role("button", name="Confirm this address").click()
    page.get_by_text("phone@example.org is confirmed").wait_for()

    page.goto("/accounts/profile/")
    page.locator("#test-addresses-rows").get_by_text("Confirmed").wait_for()
    page.set_viewport_size({"width": 390, "height": 844})
    assert layout_problems(page, "the profile page on a phone") == []
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto("/messages/")
    page.get_by_role("link", name="Autumn for {full_name}").click()
    preview = page.locator("#message-preview")
    preview.wait_for()
    htmx_ready(page, "#send-test")
    preview.get_by_label("Send to").select_option("phone@example.org")
    assert axe_problems(page, "the message's send-a-test form with a test address") == []
    preview.get_by_role("button", name="Send a test", exact=True).click()
    page.locator("#toasts .toast", has_text="A test was sent to phone@example.org.").wait_for()
    shot(page, "test-address-test-sent")
    test = arrived(smtp, 2)[1]
    assert test.rcpt_tos == ["phone@example.org"]
    assert str(test.message["Subject"]) == "[Test] Autumn for Ann Archer"
    assert test.message.get_content().startswith("Fresh loaves, Ann Archer.")
