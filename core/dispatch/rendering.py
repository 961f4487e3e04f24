"""A mailing's message, built once per run and specialised per recipient.

Building a MIME message from scratch for every recipient (what
`EmailMessage.message()` does) costs far more than sending it. Here everything
that is the same for every recipient — the sender, the fixed MIME headers, a
subject or body without placeholders — is encoded once; per recipient only the
placeholders, the To header and the Message-ID are filled in. Non-ASCII
subjects and names become RFC 2047 encoded words, non-ASCII bodies
quoted-printable UTF-8, non-ASCII domains IDNA.

Extra headers per recipient (List-Unsubscribe, a DKIM signature over the final
bytes) are one more `(name, value)` pair passed to `render`: they cost an
encoded line each, not a rebuilt message.
"""

import binascii
import html
import string
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, formataddr
from urllib.parse import quote

from core.addresses import has_line_break, smtp_address
from core.models import Message

_PARSER = string.Formatter()
FOOTER_LINK = "\x00link\x00"
_MAX_LINE = 998
_WORD_BYTES = 39  # 52 base64 characters: a 64-character word, a line under 78 after "Subject: "


class RenderError(Exception):
    """The message cannot be built for this recipient; the reason says why."""


# A tracked link's place in a text part, `{links[3]}`, and in an HTML part, a hole named TRACKED_LINK + "3":
# filled per recipient with their own redirect address to the message's link number 3 (core.dispatch.tracking).
TRACKED_LINK = "\x00tracked\x00"
PIXEL = "\x00pixel\x00"  # the HTML part's hole for the recipient's open-tracking image address


def tracked_link_field(index: int) -> str:
    return f"{{links[{index}]}}"


class Template:
    """Subject or body text with `{full_name}` / `{email}` placeholders, checked once.
    `links`: the text also holds tracked links (`tracked_link_field`)."""

    def __init__(self, text: str, *, links: bool = False):
        self.text = text
        self.error: str | None = None
        fields = []
        try:
            fields = [field for _, field, _, _ in _PARSER.parse(text) if field is not None]
        except ValueError as exc:
            self.error = f"the text has a stray brace ({exc})"
        unknown = sorted(
            {
                field
                for field in fields
                if field not in Message.PLACEHOLDERS and not (links and field.startswith("links["))
            }
        )
        self.unknown = unknown
        if unknown and self.error is None:
            names = ", ".join("{" + name + "}" for name in unknown)
            self.error = f"unknown placeholder {names} (use {{full_name}} or {{email}}; write {{{{ }}}} for braces)"
        self.constant = text.format_map({}) if not fields and self.error is None else None

    def render(self, values: dict[str, str]) -> str:
        if self.error is not None:
            raise RenderError(self.error)
        if self.constant is not None:
            return self.constant
        try:
            return self.text.format_map(values)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            raise RenderError(f"a placeholder could not be filled in ({exc})") from None


class HtmlTemplate:
    """An HTML part cut at its holes: `segments` around `holes`, each hole a
    placeholder's name (or the unsubscribe link's, FOOTER_LINK; a tracked
    link's, TRACKED_LINK + its number; the open-tracking image's, PIXEL) and
    whether it sits in a tag's attribute. A value is HTML-escaped where it goes
    (a client named `<script>` stays text), and in an attribute also
    percent-encoded, so no value can make a link's address (`javascript:`
    included) of its own."""

    def __init__(self, segments: list[str], holes: list[tuple[str, bool]]):
        if len(segments) != len(holes) + 1:
            raise ValueError("an HtmlTemplate has one more segment than holes")
        self.segments = segments
        self.holes = holes
        self.constant = segments[0] if not holes else None
        self._tracked = [int(name[len(TRACKED_LINK) :]) if name.startswith(TRACKED_LINK) else None for name, _ in holes]

    def render(self, values: dict[str, str], link: str = "", links: Sequence[str] = (), pixel: str = "") -> str:
        """`link`: the unsubscribe link; `links`: the recipient's tracked links, by number; `pixel`: their image's."""
        if self.constant is not None:
            return self.constant
        parts = [self.segments[0]]
        for (name, in_attribute), tracked, segment in zip(self.holes, self._tracked, self.segments[1:], strict=True):
            if tracked is not None:
                parts.append(html.escape(links[tracked]))
            elif name == FOOTER_LINK:
                parts.append(html.escape(link))
            elif name == PIXEL:
                parts.append(html.escape(pixel))
            else:
                value = values[name]
                parts.append(html.escape(quote(value, safe="@.-_~+") if in_attribute else value))
            parts.append(segment)
        return "".join(parts)


def encode_header_value(value: str) -> bytes:
    if "\n" in value or "\r" in value:
        raise RenderError("a header would contain a line break")
    if value.isascii() and len(value) < _MAX_LINE - 100:
        return value.encode("ascii")
    return encoded_words(value)


def encoded_words(value: str) -> bytes:
    """RFC 2047 base64 encoded words of at most 75 characters, folded with CRLF SP.

    `email.header.Header` does the same but measures every character for
    quoted-printable first; that cost more than sending the message."""
    raw = value.encode("utf-8")
    words, start = [], 0
    while start < len(raw):
        end = min(start + _WORD_BYTES, len(raw))
        while end < len(raw) and raw[end] & 0xC0 == 0x80:  # never split a character
            end -= 1
        words.append(b"=?utf-8?b?" + binascii.b2a_base64(raw[start:end], newline=False) + b"?=")
        start = end
    return b"\r\n ".join(words)


# atext (RFC 5322 3.2.3) and the space: a display name of these needs no quotes.
_PLAIN_NAME = frozenset(string.ascii_letters + string.digits + " !#$%&'*+-/=?^_`{|}~")


def encode_display_name(name: str) -> bytes:
    """A display name as a header carries it: as is, quoted, or as folded
    encoded words. Never parsed back, so no name can become an address."""
    if name.isascii() and name.isprintable():
        if _PLAIN_NAME.issuperset(name):
            return name.encode("ascii")
        return b'"' + name.replace("\\", "\\\\").replace('"', '\\"').encode("ascii") + b'"'
    return encoded_words(name)


def encode_address(name: str, email: str) -> tuple[str, bytes]:
    """(envelope address, To header value) for one recipient."""
    if has_line_break(name):
        raise RenderError("the recipient's name contains a line break")
    try:
        address = smtp_address(email)
    except ValueError as exc:
        raise RenderError(str(exc)) from None
    if not name:
        return address, address.encode("ascii")
    return address, encode_display_name(name) + b" <" + address.encode("ascii") + b">"


def encode_body(text: str) -> tuple[bytes, bytes]:
    """(Content-Transfer-Encoding, body bytes with CRLF line ends)."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    if raw.isascii() and (len(raw) <= _MAX_LINE or max(map(len, raw.split(b"\n"))) <= _MAX_LINE):
        return b"7bit", raw.replace(b"\n", b"\r\n")
    return b"quoted-printable", binascii.b2a_qp(raw, istext=True).replace(b"\n", b"\r\n")


class BodyEncoding:
    """`encode_body` for texts that all begin with `head` (an HTML part's layout):
    its whole lines are encoded once, per text only the rest. Both encodings
    allow it: 7bit is the lines as they are, and quoted-printable encodes each
    line on its own."""

    def __init__(self, head: str):
        head = head[: head.rfind("\n") + 1]
        if "\r" in head:  # encode_body would change its line ends: no shortcut
            head = ""
        raw = head.encode("utf-8")
        self.head = head
        self._ascii = raw.isascii() and max(map(len, raw.split(b"\n"))) <= _MAX_LINE
        self._7bit = raw.replace(b"\n", b"\r\n")
        self._quoted = binascii.b2a_qp(raw, istext=True).replace(b"\n", b"\r\n")

    def encode(self, text: str) -> tuple[bytes, bytes]:
        """What `encode_body(text)` returns."""
        if not self.head or not text.startswith(self.head):
            return encode_body(text)
        rest = text[len(self.head) :].replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
        if self._ascii and rest.isascii() and max(map(len, rest.split(b"\n"))) <= _MAX_LINE:
            return b"7bit", self._7bit + rest.replace(b"\n", b"\r\n")
        return b"quoted-printable", self._quoted + binascii.b2a_qp(rest, istext=True).replace(b"\n", b"\r\n")


@dataclass(frozen=True, slots=True)
class Tracking:
    """One recipient's tracked links (by their number in the message's link table) and open-tracking image."""

    links: Sequence[str]
    pixel: str = ""


@dataclass(frozen=True, slots=True)
class Rendered:
    recipient: str  # the envelope address (RCPT TO)
    name: str  # the recipient's display name, unencoded
    subject: str
    body: str  # the plain text (of a Markdown message: its plain-text part)
    message_id: str
    data: bytes  # the whole message, ready for SMTP DATA
    html: str = ""  # a Markdown message's HTML part

    @property
    def to(self) -> str:
        """ "Name <address>", unencoded (made when asked: the SMTP path never does)."""
        return formataddr((self.name, self.recipient))


class RunMessage:
    """One mailing's message for one run: encode once, render per recipient."""

    def __init__(
        self,
        *,
        subject: str,
        body: str,
        from_address: str,
        sender_name: str = "",
        reply_to: str = "",
        message_id_domain: str = "",
        footer: str = "",
        text: Template | None = None,
        html: HtmlTemplate | None = None,
        links: Sequence[str] = (),
        tracks_opens: bool = False,
    ):
        """`text` and `html`, when given, are the two parts of a Markdown
        message (see core.dispatch.markdown); `body` is then only its source.
        `text` alone is a plain message's body with its tracked links.
        `links`: the message's link table, the addresses its tracked links lead
        to (by number); `tracks_opens`: the HTML part has an image to count opens."""
        try:
            self.envelope_from = smtp_address(from_address)
        except ValueError as exc:
            raise RenderError(f"the configured sender address cannot be used: {exc}") from None
        if has_line_break(sender_name):
            raise RenderError("the sender's name (the owner's full name) contains a line break")
        from_header = self.envelope_from.encode("ascii")
        if sender_name:
            from_header = encode_display_name(sender_name) + b" <" + from_header + b">"
        self.domain = message_id_domain or self.envelope_from.rpartition("@")[2]
        # Text appended to every body (the unsubscribe line); FOOTER_LINK in it
        # is replaced by the recipient's own link.
        self.footer = footer
        self.subject = Template(subject)
        self.body = Template(body) if text is None else text
        self.html = html
        self.links = tuple(links)
        self.tracks_opens = tracks_opens
        self._subject_bytes = None if self.subject.constant is None else encode_header_value(self.subject.constant)
        self._body_bytes = None if self.body.constant is None else encode_body(self.body.constant)
        self._head = b"From: " + from_header + b"\r\n"
        if reply_to:
            try:
                self._head += b"Reply-To: " + smtp_address(reply_to).encode("ascii") + b"\r\n"
            except ValueError as exc:
                raise RenderError(f"the owner's reply-to address cannot be used: {exc}") from None
        if html is None:
            self._head += b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        else:
            # "=_" never occurs in quoted-printable text, nor a random word in what anyone writes
            boundary = b"=_" + uuid.uuid4().hex.encode("ascii")
            self._head += b'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="' + boundary + b'"\r\n'
            self._text_head = b"--" + boundary + b"\r\nContent-Type: text/plain; charset=utf-8\r\n"
            self._html_head = b"\r\n--" + boundary + b"\r\nContent-Type: text/html; charset=utf-8\r\n"
            self._end = b"\r\n--" + boundary + b"--\r\n"
            self._html_encoding = BodyEncoding(html.segments[0])  # the layout's head, the same for all
        self._date_second = -1
        self._date = b""

    def _date_header(self) -> bytes:
        second = int(time.time())
        if second != self._date_second:
            # +0000: the time is UTC and we know it (-0000 would say the zone is unknown).
            self._date = format_datetime(datetime.fromtimestamp(second, UTC)).encode("ascii")
            self._date_second = second
        return self._date

    def render(
        self,
        *,
        email: str,
        full_name: str,
        headers: Sequence[tuple[str, str]] = (),
        link: str = "",
        deliver_to: tuple[str, str] | None = None,
        tracking: "Tracking | None" = None,
    ) -> Rendered:
        """The message for one recipient; raises RenderError with the reason if it cannot be built.
        `link` fills the footer's FOOTER_LINK (the recipient's unsubscribe link). `deliver_to`,
        (name, address): who gets the message instead (a test its owner sends to themselves);
        the placeholders still speak of the recipient. `tracking`: the recipient's
        own tracked links and open-tracking image (a message with `links` or
        `tracks_opens` needs it)."""
        values = {"full_name": full_name, "email": email}
        if tracking is not None:
            values["links"] = tracking.links
        subject = self.subject.render(values)
        body = self.body.render(values)
        subject_bytes = self._subject_bytes or encode_header_value(subject)
        if self.footer:
            body += self.footer.replace(FOOTER_LINK, link)
            encoding, body_bytes = encode_body(body)
        else:
            encoding, body_bytes = self._body_bytes or encode_body(body)
        recipient, to_header = encode_address(*(deliver_to or (full_name, email)))
        message_id = f"<{uuid.uuid4().hex}@{self.domain}>"
        parts = [
            self._head,
            b"To: ",
            to_header,
            b"\r\nSubject: ",
            subject_bytes,
            b"\r\nDate: ",
            self._date_header(),
            b"\r\nMessage-ID: ",
            message_id.encode("ascii"),
        ]
        if self.html is None:
            parts += [b"\r\nContent-Transfer-Encoding: ", encoding]
        parts.append(b"\r\n")
        for name, value in headers:
            parts += [name.encode("ascii"), b": ", encode_header_value(value), b"\r\n"]
        parts.append(b"\r\n")
        html_text = ""
        if self.html is None:
            parts.append(body_bytes)
        else:  # RFC 2046: the alternatives in order of richness, the plain text first
            if tracking is None:
                html_text = self.html.render(values, link)
            else:
                html_text = self.html.render(values, link, tracking.links, tracking.pixel)
            html_encoding, html_bytes = self._html_encoding.encode(html_text)
            parts += [self._text_head, b"Content-Transfer-Encoding: ", encoding, b"\r\n\r\n", body_bytes]
            parts += [self._html_head, b"Content-Transfer-Encoding: ", html_encoding, b"\r\n\r\n", html_bytes]
            parts.append(self._end)
        name = deliver_to[0] if deliver_to else full_name
        return Rendered(recipient, name, subject, body, message_id, b"".join(parts), html_text)
