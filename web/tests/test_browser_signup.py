"""Public sign-up in a real browser: a visitor subscribes on a list's page, the
confirmation arrives at a real SMTP server, the link asks and the button
confirms, and the owner sees the new subscriber on their Lists page with the
consent on the client."""

import re

import pytest

from conftest import make_user
from core.models import Client, ClientList
from web.tests.browser import arrived, htmx_ready, log_in, requires_chromium, shot
from web.tests.test_browser_audit import axe_problems, layout_problems

pytestmark = [pytest.mark.browser, requires_chromium]

LINK = re.compile(r"https?://\S+/subscribe/confirm/[^/\s]+/")


def accessible(page, where: str) -> None:
    problems = axe_problems(page, where) + layout_problems(page, where)
    assert not problems, "\n".join(problems)


def test_subscribe_confirm_by_email_and_the_owner_sees_the_subscriber(page, transactional_db, smtp, settings):
    page.set_default_timeout(10_000)
    page.expected_statuses.add(400)  # the form sent empty first
    settings.SITE_URL = page.live_url
    owner = make_user("baker@example.com", time_zone="UTC")
    owner.full_name = "Nora Bakery"
    owner.save()
    bread = ClientList.objects.create(owner=owner, name="Bread lovers", description="Weekly news", is_public=True)

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"/subscribe/{bread.signup_token}/")
    page.get_by_role("heading", name="Bread lovers").wait_for()
    trap = page.locator("input[name=website]").bounding_box()
    assert trap["x"] + trap["width"] <= 0  # off the screen: people never see it
    accessible(page, "sign-up page")
    page.get_by_role("button", name="Subscribe").click()
    page.get_by_text("This field is required.").first.wait_for()
    accessible(page, "sign-up page with errors")
    page.get_by_label("Email").fill("zoe@example.com")
    page.get_by_label("Name").fill("Zoe Reader")
    page.get_by_role("button", name="Subscribe").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    accessible(page, "check your email")
    shot(page, "signup-01-check-your-email")
    assert not Client.objects.filter(email="zoe@example.com").exists()

    (item,) = arrived(smtp)
    assert item.rcpt_tos == ["zoe@example.com"]
    assert str(item.message["Subject"]) == "Confirm your subscription to Bread lovers"
    link = LINK.search(item.message.get_body(("plain",)).get_content()).group(0)
    assert link.startswith(page.live_url)

    page.goto(link)
    page.get_by_role("heading", name="Confirm your subscription").wait_for()
    accessible(page, "confirmation question")
    assert not Client.objects.filter(email="zoe@example.com").exists()  # opening the link changes nothing
    page.get_by_role("button", name="Yes, subscribe me").click()
    page.get_by_role("heading", name="Your subscription is confirmed").wait_for()
    shot(page, "signup-02-confirmed")

    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, owner)
    page.goto("/lists/")
    row = page.locator(f"#lists-{bread.pk}")
    row.wait_for()
    row.get_by_role("link", name="Bread lovers", exact=True).click()
    panel = page.locator(f"#list-{bread.pk}-detail")
    panel.wait_for()
    page.locator(f"#list-{bread.pk}-members", has_text="zoe@example.com").wait_for()
    assert f"/subscribe/{bread.signup_token}/" in panel.get_by_label("Sign-up page address").input_value()
    assert 'name="website"' in panel.get_by_label("The form for your own website (HTML)").input_value()
    htmx_ready(page, f"#list-{bread.pk}-detail form")
    accessible(page, "list panel")
    shot(page, "signup-03-owner-sees-the-subscriber")
    old_token = bread.signup_token
    panel.get_by_role("button", name="New address").click()
    page.get_by_role("dialog", name="New address").get_by_role("button", name="New address").click()
    page.locator("#toasts .toast", has_text="The list has a new sign-up address").wait_for()
    bread.refresh_from_db()
    assert bread.signup_token != old_token
    address = page.locator(f"#list-{bread.pk}-detail").get_by_label("Sign-up page address")
    assert address.input_value().endswith(f"/subscribe/{bread.signup_token}/")

    page.goto("/clients/")
    zoe = Client.objects.get(owner=owner, email="zoe@example.com")
    page.locator(f"#clients-{zoe.pk}").get_by_role("link", name="zoe@example.com").click()
    consent = page.locator(f"#client-{zoe.pk}-detail [data-consent]")
    consent.wait_for()
    assert "Sign-up page" in consent.inner_text()
