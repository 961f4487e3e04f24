"""Headers as RFC 5322, 2047 and 8058 want them: long names folded into
encoded words, a UTC Date that says so, and the one-click promise only for an
HTTPS unsubscribe link."""

import re
from email.header import decode_header, make_header

from core.models import Client, User
from core.tests.conftest import dispatcher_for, make_mailing

ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def _head_lines(data: bytes) -> list[bytes]:
    return data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def _header(data: bytes, name: bytes) -> list[bytes]:
    """The physical lines of one header, folded continuation lines included."""
    lines = _head_lines(data)
    start = next(i for i, line in enumerate(lines) if line.lower().startswith(name.lower() + b":"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in (b" ", b"\t")), len(lines))
    return lines[start:end]


def _decoded(data: bytes, name: bytes) -> str:
    value = b"\r\n".join(_header(data, name))[len(name) + 2 :]
    return str(make_header(decode_header(value.decode("ascii"))))


def test_long_non_ascii_names_are_folded_into_short_encoded_words(owner, peer, settings):
    settings.DEFAULT_FROM_EMAIL = "Mail Service <noreply@localhost>"
    recipient_name = "王小明" * 85  # 255 characters, the longest a client's name may be
    sender_name = "株式会社" * 37  # 148 characters
    User.objects.filter(pk=owner.pk).update(full_name=sender_name)
    mailing = make_mailing(owner, 1)
    Client.objects.filter(mailings=mailing).update(full_name=recipient_name)

    dispatcher_for(peer.port).run()

    (item,) = peer.handler.received
    assert all(len(line) <= 998 for line in _head_lines(item.data))
    for name in (b"To", b"From"):
        lines = _header(item.data, name)
        assert len(lines) > 1
        words = ENCODED_WORD.findall(b"\r\n".join(lines))
        assert words and all(len(word) <= 75 for word in words)
    # Decoded as RFC 2047 6.2 says (the space between adjacent encoded words
    # is dropped); email.policy.default's address parser keeps it.
    assert _decoded(item.data, b"To") == f"{recipient_name} <c0@example.com>"
    assert _decoded(item.data, b"From") == f"{sender_name} <noreply@localhost>"


def test_date_is_utc_with_a_known_zone(owner, peer):
    make_mailing(owner, 1)
    dispatcher_for(peer.port).run()
    (date,) = _header(peer.handler.received[0].data, b"Date")
    assert date.endswith(b" +0000")


def test_one_click_unsubscribe_is_promised_only_for_an_https_link(owner, other_user, peer, settings):
    for sender, site_url, one_click in (
        (owner, "https://mail.example.com", True),
        (other_user, "http://mail.local", False),
    ):
        settings.SITE_URL = site_url
        make_mailing(sender, 1)
        dispatcher_for(peer.port).run()
        message = peer.handler.received[-1].message
        assert message["List-Unsubscribe"].startswith(f"<{site_url}/unsubscribe/")
        assert ("List-Unsubscribe-Post" in message) is one_click
        assert message["List-Unsubscribe-Post"] == ("List-Unsubscribe=One-Click" if one_click else None)
