"""Markdown messages: sent as multipart/alternative — a plain text to read and
the HTML of the blog's sanitising pipeline in one email layout — with the
placeholders filled in both parts (escaped in the HTML), the unsubscribe line
in both, DKIM that verifies; plain messages keep their bytes."""

import email
import email.policy
import uuid
from datetime import UTC, datetime
from html.parser import HTMLParser
from unittest import mock

import dkim
import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from core.dispatch.rendering import Tracking
from core.dispatch.sending import preview_message, run_message
from core.dkim import dkim_dns_record
from core.models import Client, Message, MessageFormat
from core.services.deliverability import read_unsubscribe_token
from core.tests.conftest import NOW, assert_no_recipient_lost, dispatcher_for, make_mailing
from core.tests.factories import ClientFactory, MessageFactory

BODY = """# Здравствуйте, {full_name}!

Ваш адрес — **{email}**. Новая коллекция [в магазине](https://shop.example/new?utm=mail).

- один
- два

Фигурные скобки пишутся так: {{ и }}."""


@pytest.fixture
def sender(owner, settings):
    settings.SITE_URL = "https://mail.example.com"
    settings.DEFAULT_FROM_EMAIL = "Mail Service <news@example.com>"
    settings.MESSAGE_ID_DOMAIN = "mail.example.com"
    owner.full_name = "Örtliche Bäckerei"
    owner.language = "ru"
    owner.save()
    return owner


def send_markdown(owner, peer, count=2, *, subject="Привет, {full_name}", body=BODY, names=()):
    with time_machine.travel(NOW, tick=False):
        mailing = make_mailing(owner, count, now=NOW, subject=subject, body=body)
        Message.objects.filter(pk=mailing.message_id).update(format=MessageFormat.MARKDOWN)
        for client, name in zip(Client.objects.filter(owner=owner).order_by("email"), names, strict=False):
            Client.objects.filter(pk=client.pk).update(full_name=name)
        dispatcher_for(peer.port).run()
    return mailing


def parts(message):
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    return (part.get_content().replace("\r\n", "\n") for part in (text, html))


def test_a_markdown_message_arrives_as_plain_text_and_html_cyrillic_included(sender, peer):
    mailing = send_markdown(sender, peer)
    assert assert_no_recipient_lost(mailing) == {"success": 2}
    assert len(peer.handler.received) == 2
    for item in peer.handler.received:
        message = item.message
        email = item.rcpt_tos[0]
        name = "Client " + email[1]
        assert str(message["Subject"]) == f"Привет, {name}"
        text, html = parts(message)
        assert text.startswith(f"Здравствуйте, {name}!\n")
        assert f"Ваш адрес — {email}. Новая коллекция в магазине [1]." in text
        assert "- один\n- два" in text
        assert "Фигурные скобки пишутся так: { и }." in text
        assert "Ссылки:\n[1] https://shop.example/new?utm=mail" in text
        assert "**" not in text and "#" not in text
        assert f">Здравствуйте, {name}!</h1>" in html
        assert f"<strong>{email}</strong>" in html
        assert '<a style="' in html and 'href="https://shop.example/new?utm=mail"' in html
        assert "Фигурные скобки пишутся так: { и }." in html
        assert "max-width: 600px" in html and "<table" in html and 'name="color-scheme"' in html
        assert "<link" not in html and "@import" not in html and "url(" not in html  # nothing fetched from elsewhere
        # The unsubscribe line in both parts, the recipient's own link, as in the header.
        (link,) = [part.strip("<>") for part in str(message["List-Unsubscribe"]).split(", ") if "https" in part]
        assert text.rstrip().endswith(f"отпишитесь: {link}")
        assert f'<a href="{link}"' in html and "Örtliche Bäckerei" in html
        token = link.rstrip("/").rsplit("/", 1)[1]
        assert read_unsubscribe_token(token) is not None


def test_placeholders_are_escaped_in_the_html_and_cannot_make_a_link(sender, peer):
    body = "Hello {full_name}!\n\n[Your page](https://shop.example/u?name={full_name}) · [me]({full_name})"
    send_markdown(sender, peer, 1, body=body, names=['<script>alert("x")</script> javascript:alert(1)'])
    (item,) = peer.handler.received
    text, html = parts(item.message)
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; javascript:alert(1)!" in html
    inspector = Inspector()
    inspector.feed(html)
    hrefs = [value for tag, name, value in inspector.attrs if name == "href"]
    assert (
        "https://shop.example/u?name=%3Cscript%3Ealert%28%22x%22%29%3C%2Fscript%3E%20javascript%3Aalert%281%29" in hrefs
    )
    assert not any(href.lower().startswith("javascript") for href in hrefs)
    assert 'Hello <script>alert("x")</script> javascript:alert(1)!' in text  # plain text is text


PAYLOADS = [
    "<script>alert('XSS')</script>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<img src=x onerror=\"alert('XSS')\">",
    "<svg/onload=alert('XSS')>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<STYLE>@import'http://xss.example/xss.css';</STYLE>",
    '<a href="&#x6A;avascript:alert(1)">click</a>',
    "[click](javascript:alert('XSS'))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    '![img](x "onerror=alert(1)")',
    '[a](https://example.com/" onclick="alert(1))',
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "`<img src=x onerror=alert(1)>`",
]


class Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, name, value or "") for name, value in attrs)

    handle_startendtag = handle_starttag


# The layout's own tags, and what the blog's sanitiser lets through.
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "table", "tr", "td"} | {
    "a", "abbr", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "img", "li", "ol", "p", "pre", "s", "strong", "tbody", "th", "thead", "ul", "del",
}  # fmt: skip


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_html_part_keeps_the_blogs_sanitiser_rules(owner, payload):
    message = MessageFactory(owner=owner, subject="Hi", body=f"Intro [safe](https://example.com/).\n\n{payload}")
    message.format = MessageFormat.MARKDOWN
    preview = preview_message(message, link="https://mail.example.com/u/x/")
    assert preview.error is None
    html = preview.html
    assert html.lower().count("<style") == 1 and "<script" not in html.lower()
    inspector = Inspector()
    inspector.feed(html)
    assert set(inspector.tags) <= ALLOWED_TAGS, inspector.tags
    assert inspector.tags.count("style") == 1
    for tag, name, value in inspector.attrs:
        assert not name.startswith("on"), (tag, name)
        assert name not in {"srcdoc", "formaction", "background", "src"} or tag == "img", (tag, name)
        target = "".join(ch for ch in value.lower() if ch.isprintable() and not ch.isspace())
        if name in {"href", "src"}:
            assert not target.startswith(("javascript:", "vbscript:", "data:")), (tag, name, value)


def render_at_a_fixed_moment(body_format):
    message = run_message(
        subject="Hi {full_name}",
        body="Dear {full_name},\nthis is for {email}. " + "x" * 1200,
        sender_name="Örtliche Bäckerei",
        reply_to="shop@example.org",
        language="en",
        from_email="Mail Service <news@example.com>",
        body_format=body_format,
    )
    with (
        time_machine.travel(datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC), tick=False),
        mock.patch("uuid.uuid4", return_value=uuid.UUID(int=7)),
    ):
        return message.render(
            email="anna@example.com",
            full_name="Анна <script>",
            headers=[("List-Unsubscribe", "<https://x.example/u/1/>")],
            link="https://x.example/u/1/",
        ).data


def test_a_plain_message_keeps_exactly_the_bytes_it_had(settings):
    settings.MESSAGE_ID_DOMAIN = "mail.example.com"
    data = render_at_a_fixed_moment(MessageFormat.PLAIN)
    expected = (
        b"From: =?utf-8?b?w5ZydGxpY2hlIELDpGNrZXJlaQ==?= <news@example.com>\r\n"
        b"Reply-To: shop@example.org\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"To: =?utf-8?b?0JDQvdC90LAgPHNjcmlwdD4=?= <anna@example.com>\r\n"
        b"Subject: =?utf-8?b?SGkg0JDQvdC90LAgPHNjcmlwdD4=?=\r\n"
        b"Date: Mon, 04 May 2026 03:02:01 +0000\r\n"
        b"Message-ID: <00000000000000000000000000000007@mail.example.com>\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n"
        b"List-Unsubscribe: <https://x.example/u/1/>\r\n"
        b"\r\n"
        b"Dear =D0=90=D0=BD=D0=BD=D0=B0 <script>,\r\n"
        b"this is for anna@example.com. " + b"x" * 45 + b"=\r\n" + (b"x" * 75 + b"=\r\n") * 15 + b"x" * 30 + b"\r\n"
        b"\r\n"
        b"--=20\r\n"
        b"You receive this email as a client of =C3=96rtliche B=C3=A4ckerei. To stop =\r\n"
        b"receiving it, unsubscribe: https://x.example/u/1/"
    )
    assert data == expected  # as the dispatcher built it before Markdown messages existed


def test_dkim_signed_markdown_messages_verify(sender, peer, settings):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.DKIM_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    settings.DKIM_SELECTOR, settings.DKIM_DOMAIN = "s1", "example.com"
    name, value = dkim_dns_record()
    send_markdown(sender, peer, 2)
    assert len(peer.handler.received) == 2
    for item in peer.handler.received:
        assert item.data.startswith(b"DKIM-Signature:")
        assert item.message.get_content_type() == "multipart/alternative"
        assert dkim.verify(
            item.data, dnsfunc=lambda q, timeout=5: value.encode() if q.rstrip(b".") == name.encode() else None
        )


def test_the_preview_shows_both_parts_for_a_client(owner):
    message = MessageFactory(owner=owner, subject="Hi {full_name}", body="**Bold** for {full_name}", format="markdown")
    client = ClientFactory(owner=owner, full_name="Ada & <b>Co</b>", email="ada@example.com")
    preview = preview_message(message, client, link="LINK")
    assert preview.error is None and preview.subject == "Hi Ada & <b>Co</b>"
    assert preview.body.startswith("Bold for Ada & <b>Co</b>") and preview.body.endswith("unsubscribe: LINK")
    assert "<strong>Bold</strong> for Ada &amp; &lt;b&gt;Co&lt;/b&gt;" in preview.html
    assert '<a href="LINK"' in preview.html

    plain = preview_message(MessageFactory(owner=owner, body="**Bold**"), client, link="LINK")
    assert plain.html == "" and plain.body.startswith("**Bold**")


def test_a_markdown_message_with_a_wrong_placeholder_says_why(owner):
    message = MessageFactory.build(owner=owner, subject="Hi", body="# Hi {name}", format="markdown")
    preview = preview_message(message, link="LINK")
    assert "unknown placeholder {name}" in preview.error and preview.html == ""


NEWS = "# News\n\nDear {full_name}, short lines, *plain* letters, [a link](https://shop.example/)."


@pytest.mark.parametrize(
    ("subject", "body", "sender", "encoding"),
    [
        ("Hi {full_name}", NEWS, "Shop", "7bit"),
        ("Hi there", NEWS, "Shop", "7bit"),
        ("Hi there", NEWS, "Örtliche Bäckerei", "quoted-printable"),
        ("Привет", "# Новости\n\nЗдравствуйте, {full_name}!", "Shop", "quoted-printable"),  # noqa: RUF001
        ("Hi {full_name}", "A line of " + "x" * 1200, "Shop", "quoted-printable"),
    ],
    ids=["ascii", "ascii-fixed-subject", "non-ascii-footer", "cyrillic", "long-line"],
)
def test_the_html_part_reads_back_exactly_as_rendered(subject, body, sender, encoding):
    """The layout's head is encoded once per run; every recipient's part still reads as their own HTML."""
    message = run_message(
        subject=subject,
        body=body,
        sender_name=sender,
        reply_to="",
        language="en",
        from_email="news@example.com",
        body_format=MessageFormat.MARKDOWN,
        track_clicks=True,
        track_opens=True,
    )
    for name in ("Anna", "Анна <script>"):
        rendered = message.render(
            email="anna@example.com",
            full_name=name,
            link="https://x.example/u/1/",
            tracking=Tracking(["https://x.example/r/1/"] * len(message.links), "https://x.example/o/1.gif"),
        )
        html_part = email.message_from_bytes(rendered.data, policy=email.policy.default).get_payload()[1]
        assert html_part.get_content().replace("\r\n", "\n") == rendered.html
        assert html_part["Content-Transfer-Encoding"] == (encoding if name == "Anna" else "quoted-printable")
