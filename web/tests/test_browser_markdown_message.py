"""Write a Markdown message, look at both of its parts in the preview — the HTML
in a sandboxed frame with the layout's own styles — and send a test to oneself,
which arrives at the SMTP server as plain text and HTML. Turn click tracking
on for a mailing of it, send it, follow the tracked link of the message that
arrived and see the click in the mailing's figures."""

import re
import time

import pytest

from core.models import Mailing
from core.tests.factories import ClientFactory
from web.tests.browser import htmx_ready, log_in, requires_chromium, shot
from web.tests.test_browser_audit import axe_problems, layout_problems
from web.tests.test_browser_journey import open_dialog, run_cron, smtp  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, requires_chromium]

BODY = "# Hello {full_name}\n\nOur **autumn loaves** are in: [see them](https://bakery.example/autumn)."


def arrived(peer, count: int = 1, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while len(peer.handler.received) < count:
        assert time.monotonic() < deadline, "the test did not arrive"
        time.sleep(0.05)
    return peer.handler.received


def test_write_markdown_preview_both_parts_and_send_a_test(page, transactional_db, smtp, settings):  # noqa: F811
    from conftest import make_user

    settings.DEFAULT_FROM_EMAIL = "mail_service <noreply@example.com>"
    owner = make_user("nora@example.com")
    owner.full_name = "Nora Bakery"
    owner.save()
    ClientFactory(owner=owner, email="ann@example.com", full_name="Ann <Archer>")
    log_in(page, owner)
    page.goto("/messages/")
    page.locator("#messages-list").wait_for()

    dialog = open_dialog(page, "New message")
    dialog.get_by_label("Subject").fill("Autumn for {full_name}")
    dialog.get_by_label("Format").select_option(label="Markdown (sent as HTML with a plain-text version)")
    dialog.get_by_label("Body").fill(BODY)
    dialog.get_by_role("button", name="Create").click()
    dialog.wait_for(state="hidden")
    page.get_by_role("link", name="Autumn for {full_name}").click()

    preview = page.locator("#message-preview")
    preview.wait_for()
    assert preview.locator("[data-preview=subject]").inner_text() == "Autumn for Ann <Archer>"
    text = preview.locator("[data-preview=body]").inner_text()
    assert text.startswith("Hello Ann <Archer>") and "autumn loaves are in: see them [1]." in text
    assert "Links:\n[1] https://bakery.example/autumn" in text and "unsubscribe" in text
    frame = preview.locator("iframe[data-preview=html]")
    assert frame.get_attribute("sandbox") == ""
    html = page.frame_locator("iframe[data-preview=html]")
    assert html.locator("h1").inner_text() == "Hello Ann <Archer>"  # escaped: text, not a tag
    assert html.locator("strong").inner_text() == "autumn loaves"
    assert html.locator("a", has_text="see them").get_attribute("href") == "https://bakery.example/autumn"
    # The layout's inline styles apply inside the frame (its own policy allows them, the page's stays strict).
    card = html.locator("td.mail-card")
    assert card.evaluate("cell => getComputedStyle(cell).backgroundColor") == "rgb(255, 255, 255)"
    assert html.locator("table[role=presentation] table").evaluate("t => getComputedStyle(t).maxWidth") == "600px"
    shot(page, "markdown-message-preview")

    htmx_ready(page, "#send-test")
    preview.get_by_role("button", name="Send a test to nora@example.com").click()
    page.locator("#toasts .toast", has_text="A test was sent to nora@example.com.").wait_for()
    page.locator("[data-test-send=sent]", has_text="It is not counted in any report.").wait_for()
    (item,) = arrived(smtp)
    assert item.rcpt_tos == ["nora@example.com"]
    message = item.message
    assert str(message["Subject"]) == "[Test] Autumn for Ann <Archer>"
    assert message.get_content_type() == "multipart/alternative"
    plain, rich = (part.get_content() for part in message.iter_parts())
    assert plain.startswith("Hello Ann <Archer>")
    assert ">Hello Ann &lt;Archer&gt;</h1>" in rich and 'href="https://bakery.example/autumn"' in rich


def test_track_clicks_send_follow_a_link_and_see_the_click_in_the_report(page, transactional_db, smtp, settings):  # noqa: F811
    from conftest import make_user
    from core.models import Message, MessageFormat

    settings.SITE_URL = page.live_url
    owner = make_user("nora@example.com")
    owner.full_name, owner.time_zone = "Nora Bakery", "UTC"
    owner.save()
    ClientFactory(owner=owner, email="ann@example.com", full_name="Ann Archer")
    target = f"{page.live_url}/blog/"  # a page of this site: the browser test stays on its own host
    Message.objects.create(
        owner=owner,
        subject="Autumn news",
        body=f"Our loaves: [read the blog]({target}).",
        format=MessageFormat.MARKDOWN,
    )
    log_in(page, owner)
    page.goto("/mailings/")
    page.locator("#mailings-list").wait_for()
    dialog = open_dialog(page, "New mailing")
    dialog.get_by_label("Message").select_option(label="Autumn news")
    picker = dialog.locator("[data-picker]", has=page.get_by_label("Search Clients"))
    picker.get_by_role("button", name="Select all matching").click()
    picker.get_by_text("1 selected").wait_for()
    now = page.evaluate("new Date().toLocaleString('sv-SE', {timeZone: 'UTC'}).slice(0, 16).replace(' ', 'T')")
    dialog.get_by_label("First send at").fill(now)
    tracking = dialog.get_by_label("Track clicks")
    assert not tracking.is_checked() and not dialog.get_by_label("Track opens").is_checked()  # off unless asked for
    dialog.get_by_text("Links in this mailing are tracked: we record who clicks which link.").wait_for()
    tracking.check()
    assert axe_problems(page, "the mailing form") == []
    dialog.get_by_role("button", name="Create").click()
    dialog.wait_for(state="hidden")
    page.get_by_role("link", name="Autumn news").click()
    notes = page.locator("#mailing-tracking-notes")
    notes.get_by_text("Links in this mailing are tracked: we record who clicks which link.").wait_for()

    run_cron("DispatchJob")
    (item,) = arrived(smtp)
    html = item.message.get_body(("html",)).get_content()
    (tracked,) = re.findall(r'href="([^"]+/r/[^"]+)"', html)
    assert tracked.startswith(f"{page.live_url}/r/") and target not in html

    page.goto(tracked.removeprefix(page.live_url))
    page.wait_for_url(target)  # led to the original address
    mailing_url = f"/mailings/{Mailing.objects.get(owner=owner).pk}/"
    page.goto(mailing_url)
    links = page.locator("#mailing-tracking-links")
    links.wait_for()
    row = links.locator("tbody tr", has_text=target)
    assert row.locator("td").all_inner_texts() == [target, "1", "100.0 %", "1"]  # clicked, rate, clicks
    runs = page.locator("#mailing-tracking-runs tbody tr").first.locator("td").all_inner_texts()
    assert runs[1:4] == ["1", "1", "100.0 %"]  # sent, clicked, click rate
    assert axe_problems(page, "the tracked mailing's page") == []
    shot(page, "markdown-message-tracked-click")
    page.set_viewport_size({"width": 390, "height": 844})
    assert layout_problems(page, "the tracked mailing's page on a phone") == []
    shot(page, "markdown-message-tracked-click-phone")
