"""Click and open tracking, opt-in per mailing.

Per run, once: the message's links are found — the HTML part's `href`s and the
URLs of the plain text — and each becomes a numbered entry of the message's
link table, its places in both parts holes to fill (`tracked_parts`). Per
recipient, only the tokens are made: a short HMAC over the attempt and the
link's number (`click_token`), so a redirect can only ever lead to an address
of that mailing's own link table. The unsubscribe link is never rewritten (it
is put in per recipient after this), nor `mailto:` links, nor a link whose
address holds a placeholder (the table is the same for every recipient)."""

import base64
import hashlib
import hmac
import html
import re
from functools import lru_cache

from django.conf import settings

from core.dispatch.rendering import PIXEL, TRACKED_LINK, HtmlTemplate, Template, Tracking, tracked_link_field
from core.mail_links import link_maker

# A URL in plain text: up to a space, a quote, an angle bracket or a brace (a placeholder or an
# escaped brace ends it); the punctuation a sentence puts after a URL is not part of it.
_TEXT_URL = re.compile(r"https?://[^\s<>\"'{}\[\]]+")
_TRAILING = ".,;:!?)"
_HREF = re.compile(r'(<a\s[^>]*?href=")(https?://[^"]*)"')
_SIGNATURE_BYTES = 12  # 96 bits: 16 URL-safe characters
_PIXEL_TAG = (
    '<img src="{src}" width="1" height="1" alt="" '
    'style="display: block; width: 1px; height: 1px; border: 0; margin: 0; padding: 0;">'
)


class LinkTable:
    """The message's tracked addresses, each once, numbered as first met."""

    def __init__(self):
        self.urls: list[str] = []
        self._numbers: dict[str, int] = {}

    def number(self, url: str) -> int:
        if url not in self._numbers:
            self._numbers[url] = len(self.urls)
            self.urls.append(url)
        return self._numbers[url]


def tracked_parts(
    text: Template, html_part: HtmlTemplate | None, *, clicks: bool, opens: bool
) -> tuple[Template, HtmlTemplate | None, list[str]]:
    """The message's parts with their links (when `clicks`) and, in the HTML
    part, the open-tracking image (when `opens`) as holes; and the link table."""
    table = LinkTable()
    if html_part is not None:
        html_part = _tracked_html(html_part, table if clicks else None, opens)
    if clicks:
        text = _tracked_text(text, table)
    return text, html_part, table.urls


def _tracked_text(text: Template, table: LinkTable) -> Template:
    source, pieces, start = text.text, [], 0
    for found in _TEXT_URL.finditer(source):
        url = found[0].rstrip(_TRAILING if "(" not in found[0] else _TRAILING[:-1])
        end = found.start() + len(url)
        if source[end : end + 1] in {"{", "}"}:  # the address goes on with a placeholder: not the same for all
            continue
        pieces += [source[start : found.start()], tracked_link_field(table.number(url))]
        start = end
    if not pieces:
        return text
    return Template("".join(pieces) + source[start:], links=True)


def _tracked_html(part: HtmlTemplate, table: LinkTable | None, opens: bool) -> HtmlTemplate:
    """Cut the segments again at each whole `href` (one with a placeholder in it
    spans a hole, so no segment holds all of it) and before `</body>`."""
    segments: list[str] = []
    holes: list[tuple[str, bool]] = []
    for index, segment in enumerate(part.segments):
        if table is not None:
            start = 0
            for found in _HREF.finditer(segment):
                segments.append(segment[start : found.end(1)])
                holes.append((TRACKED_LINK + str(table.number(html.unescape(found[2]))), True))
                start = found.end(2)
            segment = segment[start:]
        if opens and index == len(part.segments) - 1:
            before, body_end, after = segment.rpartition("</body>")
            if body_end:
                tag_start, _, tag_end = _PIXEL_TAG.partition("{src}")
                segments.append(before + tag_start)
                holes.append((PIXEL, True))
                segment = tag_end + "\n" + body_end + after
        segments.append(segment)
        if index < len(part.holes):
            holes.append(part.holes[index])
    return HtmlTemplate(segments, holes)


@lru_cache(maxsize=4)
def _key(secret_key: str) -> tuple:
    """HMAC-SHA256's inner and outer hashes with the key (derived from the
    secret key) already in them: each token copies them (RFC 2104), which costs
    a quarter of `hmac.digest`, whose OpenSSL digest is looked up on every call."""
    key = hashlib.sha256(b"mail_service.tracking\x00" + secret_key.encode()).digest().ljust(64, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in key)), hashlib.sha256(bytes(b ^ 0x5C for b in key))


def _signature(key: tuple, payload: str) -> str:
    inner, outer = key[0].copy(), key[1].copy()
    inner.update(payload.encode("ascii"))
    outer.update(inner.digest())
    return base64.urlsafe_b64encode(outer.digest()[:_SIGNATURE_BYTES]).decode("ascii")


def click_token(attempt_id: int, number: int) -> str:
    """`<attempt>-<link number>-<signature>`, the numbers in hex."""
    payload = f"c{attempt_id:x}-{number:x}"
    return payload[1:] + "-" + _signature(_key(settings.SECRET_KEY), payload)


def open_token(attempt_id: int) -> str:
    payload = f"o{attempt_id:x}"
    return payload[1:] + "-" + _signature(_key(settings.SECRET_KEY), payload)


def _verified(payload: str, signature: str) -> bool:
    for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):  # tokens sent before a key rotation
        if hmac.compare_digest(_signature(_key(secret), payload), signature):
            return True
    return False


_HEX = re.compile(r"[0-9a-f]{1,15}")


def read_click_token(token: str) -> tuple[int, int] | None:
    """(attempt id, link number) of a genuine token; None for anything else."""
    attempt, _, rest = token.partition("-")
    number, _, signature = rest.partition("-")
    if not (_HEX.fullmatch(attempt) and _HEX.fullmatch(number) and len(signature) == 16):
        return None
    if not _verified(f"c{attempt}-{number}", signature):
        return None
    return int(attempt, 16), int(number, 16)


def read_open_token(token: str) -> int | None:
    """The attempt id of a genuine open token; None for anything else."""
    attempt, _, signature = token.partition("-")
    if not (_HEX.fullmatch(attempt) and len(signature) == 16) or not _verified(f"o{attempt}", signature):
        return None
    return int(attempt, 16)


class TrackingUrls:
    """Each recipient's tracked links and image. The addresses are reversed
    once (a dispatcher makes one of these); per recipient only the tokens are
    made. `positions[n]` is the message's link number n as its mailing keeps
    it (core.services.tracking.link_positions)."""

    def __init__(self):
        self._click = link_maker("tracked-link")
        self._open = link_maker("tracked-open")

    def for_attempt(self, attempt_id: int, positions: list[int], opens: bool) -> Tracking:
        click = self._click
        key = _key(settings.SECRET_KEY)
        head = f"c{attempt_id:x}-"
        links = [click(f"{head[1:]}{number:x}-{_signature(key, f'{head}{number:x}')}") for number in positions]
        return Tracking(links, self._open(open_token(attempt_id)) if opens else "")
