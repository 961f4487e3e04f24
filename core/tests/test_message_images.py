"""An uploaded image in a Markdown message reaches the recipient as an <img>
loading from its absolute address on the site; an image from anywhere but an
absolute http(s) address is dropped from the HTML part (a mail client has no
page to resolve a relative address against)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.services.images import image_create
from core.tests.conftest import assert_no_recipient_lost
from core.tests.images import image_bytes
from core.tests.test_markdown_messages import parts, send_markdown


@pytest.fixture
def sender(owner, settings):
    settings.SITE_URL = "https://mail.example.com"
    settings.DEFAULT_FROM_EMAIL = "Mail Service <news@example.com>"
    return owner


def test_an_uploaded_image_arrives_as_an_img_with_its_absolute_address(sender, peer):
    image = image_create(owner=sender, upload=SimpleUploadedFile("shop.png", image_bytes((120, 80)), "image/png"))
    assert image.url.startswith("https://mail.example.com/media/images/")
    body = f"Dear {{full_name}}, our new shop:\n\n![Our shop, front]({image.url})"
    mailing = send_markdown(sender, peer, count=1, body=body)
    assert assert_no_recipient_lost(mailing) == {"success": 1}
    (item,) = peer.handler.received
    text, html = parts(item.message)
    (tag,) = re.findall(r"<img [^>]*>", html)
    assert f'src="{image.url}"' in tag and 'alt="Our shop, front"' in tag
    assert "[Our shop, front] [1]" in text and f"[1] {image.url}" in text


@pytest.mark.parametrize(
    "source",
    ["/media/images/2026/01/0123456789abcdef0123456789abcdef.png", "//elsewhere.example/a.png", "mailto:a@example.com"],
    ids=["relative", "protocol-relative", "mailto"],
)
def test_an_image_without_an_absolute_http_address_loads_nothing(sender, peer, source):
    send_markdown(sender, peer, count=1, body=f"Look: ![A picture]({source})")
    (item,) = peer.handler.received
    text, html = parts(item.message)
    (tag,) = re.findall(r"<img [^>]*>", html)
    assert "src=" not in tag and 'alt="A picture"' in tag
    assert source not in html and source not in text
