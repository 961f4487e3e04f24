"""Write a Markdown message, look at both of its parts in the preview — the HTML
in a sandboxed frame with the layout's own styles — and send a test to oneself,
which arrives at the SMTP server as plain text and HTML. Then turn click
tracking on for a mailing of it, send it, follow the tracked link of the
message that arrived and see the click in the mailing's figures: one journey."""

import re

import pytest

from core.models import Mailing
from core.tests.factories import ClientFactory
from web.tests.browser import arrived, htmx_ready, log_in, requires_chromium, shot
from web.tests.test_browser_audit import axe_problems, layout_problems
from web.tests.test_browser_journey import open_dialog, run_cron

pytestmark = [pytest.mark.browser, requires_chromium]


def test_write_preview_test_send_track_and_see_the_click(page, transactional_db, smtp, settings):
    """The whole way of a Markdown message: written, previewed in both parts, sent as a test to
    oneself, sent by a mailing with click tracking on, its link followed, the click reported."""
    from conftest import make_user

    settings.DEFAULT_FROM_EMAIL = "mail_service <noreply@example.com>"
    settings.SITE_URL = page.live_url
    owner = make_user("nora@example.com")
    owner.full_name, owner.time_zone = "Nora Bakery", "UTC"
    owner.save()
    ClientFactory(owner=owner, email="ann@example.com", full_name="Ann <Archer>")
    target = f"{page.live_url}/blog/"  # a page of this site: the browser test stays on its own host
    log_in(page, owner)
    page.goto("/messages/")
    page.locator("#messages-list").wait_for()

    # Write it.
    dialog = open_dialog(page, "New message")
    dialog.get_by_label("Subject").fill("Autumn for {full_name}")
    dialog.get_by_label("Format").select_option(label="Markdown (sent as HTML with a plain-text version)")
    dialog.get_by_label("Body").fill(f"# Hello {{full_name}}\n\nOur **autumn loaves** are in: [see them]({target}).")
    dialog.get_by_role("button", name="Create").click()
    dialog.wait_for(state="hidden")
    page.get_by_role("link", name="Autumn for {full_name}").click()

    # Both parts in the preview, for a client whose name must stay text.
    preview = page.locator("#message-preview")
    preview.wait_for()
    assert preview.locator("[data-preview=subject]").inner_text() == "Autumn for Ann <Archer>"
    text = preview.locator("[data-preview=body]").inner_text()
    assert text.startswith("Hello Ann <Archer>") and "autumn loaves are in: see them [1]." in text
    assert f"Links:\n[1] {target}" in text and "unsubscribe" in text
    frame = preview.locator("iframe[data-preview=html]")
    assert frame.get_attribute("sandbox") == ""
    html = page.frame_locator("iframe[data-preview=html]")
    assert html.locator("h1").inner_text() == "Hello Ann <Archer>"  # escaped: text, not a tag
    assert html.locator("strong").inner_text() == "autumn loaves"
    assert html.locator("a", has_text="see them").get_attribute("href") == target
    # The layout's inline styles apply inside the frame (its own policy allows them, the page's stays strict).
    card = html.locator("td.mail-card")
    assert card.evaluate("cell => getComputedStyle(cell).backgroundColor") == "rgb(255, 255, 255)"
    assert html.locator("table[role=presentation] table").evaluate("t => getComputedStyle(t).maxWidth") == "600px"
    shot(page, "markdown-message-preview")

    # A test to oneself: both parts, never tracked.
    htmx_ready(page, "#send-test")
    preview.get_by_role("button", name="Send a test to nora@example.com").click()
    page.locator("#toasts .toast", has_text="A test was sent to nora@example.com.").wait_for()
    page.locator("[data-test-send=sent]", has_text="It is not counted in any report.").wait_for()
    (test,) = arrived(smtp)
    assert test.rcpt_tos == ["nora@example.com"]
    assert str(test.message["Subject"]) == "[Test] Autumn for Ann <Archer>"
    assert test.message.get_content_type() == "multipart/alternative"
    plain, rich = (part.get_content() for part in test.message.iter_parts())
    assert plain.startswith("Hello Ann <Archer>")
    assert ">Hello Ann &lt;Archer&gt;</h1>" in rich and f'href="{target}"' in rich and "/r/" not in rich

    # A mailing of it with click tracking on, sent.
    page.goto("/mailings/")
    page.locator("#mailings-list").wait_for()
    dialog = open_dialog(page, "New mailing")
    dialog.get_by_label("Message").select_option(label="Autumn for {full_name}")
    picker = dialog.locator("[data-client-picker]")
    picker.get_by_label("Search Clients").fill("ann")
    picker.get_by_role("button", name="Select all 1 matching").click()
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
    page.get_by_role("link", name="Autumn for {full_name}").click()
    notes = page.locator("#mailing-tracking-notes")
    notes.get_by_text("Links in this mailing are tracked: we record who clicks which link.").wait_for()

    run_cron("DispatchJob")
    sent = arrived(smtp, 2)[1]
    assert sent.rcpt_tos == ["ann@example.com"]
    html = sent.message.get_body(("html",)).get_content()
    (tracked,) = re.findall(r'href="([^"]+/r/[^"]+)"', html)
    assert tracked.startswith(f"{page.live_url}/r/") and f'href="{target}"' not in html

    # The recipient follows the link; the owner sees the click.
    page.goto(tracked.removeprefix(page.live_url))
    page.wait_for_url(target)  # led to the original address
    page.goto(f"/mailings/{Mailing.objects.get(owner=owner).pk}/")
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
