"""In the message editor, upload a picture with "Insert image": a wrong file is
refused next to the control, a real one goes into the Markdown body where the
cursor was, and the saved message's preview shows the picture from the site."""

import pytest

from core.models import Message, MessageImage
from core.tests.images import image_bytes
from web.tests.browser import log_in, requires_chromium, shot, wait_until
from web.tests.test_browser_audit import axe_problems
from web.tests.test_browser_journey import open_dialog

pytestmark = [pytest.mark.browser, requires_chromium]


def test_insert_an_uploaded_image_and_see_it_in_the_preview(page, transactional_db, settings):
    from conftest import make_user

    settings.SITE_URL = page.live_url
    owner = make_user("nora@example.com")
    log_in(page, owner)
    page.goto("/messages/")
    page.locator("#messages-list").wait_for()

    dialog = open_dialog(page, "New message")
    control = dialog.get_by_role("group", name="Insert image")
    assert control.is_hidden()  # a plain-text message shows no pictures
    dialog.get_by_label("Subject").fill("Our new shop")
    dialog.get_by_label("Format").select_option(label="Markdown (sent as HTML with a plain-text version)")
    control.wait_for()
    body = dialog.get_by_label("Body")
    body.fill("Hello {full_name}!\n\nCome and see us.")
    body.evaluate("field => field.setSelectionRange(field.value.indexOf('Come'), field.value.indexOf('Come'))")

    page.expected_statuses.add(400)
    control.get_by_label("Image file").set_input_files(
        {"name": "notes.png", "mimeType": "image/png", "buffer": b"just some text, not a picture"}
    )
    control.get_by_role("button", name="Upload and insert").click()
    control.get_by_text("The file is not an image (or it is damaged).").wait_for()
    assert MessageImage.objects.count() == 0
    assert "![" not in body.input_value()

    control.get_by_label("Image file").set_input_files(
        {"name": "shop.png", "mimeType": "image/png", "buffer": image_bytes((120, 80))}
    )
    control.get_by_label("Description (for readers who do not see images)").fill("Our shop [front]")
    control.get_by_role("button", name="Upload and insert").click()
    control.get_by_text("The image is in the body, where the cursor was.").wait_for()
    image = MessageImage.objects.get(owner=owner)
    assert image.url.startswith(page.live_url + "/media/images/")
    expected = f"Hello {{full_name}}!\n\n![Our shop \\[front\\]]({image.url})Come and see us."
    assert body.input_value() == expected
    assert not control.get_by_text("The file is not an image").is_visible()
    assert axe_problems(page, "the message form with its image control") == []
    shot(page, "message-insert-image")

    dialog.get_by_role("button", name="Create").click()
    dialog.wait_for(state="hidden")
    assert Message.objects.get(owner=owner).body == expected
    page.get_by_role("link", name="Our new shop").click()
    page.locator("#message-preview").wait_for()
    picture = page.frame_locator("iframe[data-preview=html]").get_by_role("img", name="Our shop [front]")
    picture.wait_for()
    assert picture.get_attribute("src") == image.url
    frame = page.locator("iframe[data-preview=html]").element_handle().content_frame()
    wait_until(frame, "() => { const img = document.querySelector('img'); return img && img.complete; }")
    assert frame.evaluate("() => document.querySelector('img').naturalWidth") == 120
    shot(page, "message-image-preview")
