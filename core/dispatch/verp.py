"""Envelope senders that say which attempt a bounce is about (VERP).

With BOUNCE_ADDRESS = `bounces+{token}@mail.example.com`, the message of
attempt 12345 leaves with `MAIL FROM:<bounces+9ix-k3f0q7m2ab@mail.example.com>`:
the attempt's id in base 36 and 50 bits of an HMAC of it under SECRET_KEY,
lower case only (some mail systems lower-case local parts). A bounce comes
back to that address; without the key nobody can make a token that names
another attempt, so a forged bounce cannot suppress an address.
"""

import base64
import hashlib
import hmac
import re
from functools import lru_cache

from django.conf import settings

_SALT = b"mail_service.verp"
_MAC_LENGTH = 10  # base 32 letters: 50 bits
_TOKEN = re.compile(rf"([0-9a-z]{{1,13}})-([a-z2-7]{{{_MAC_LENGTH}}})")


@lru_cache(maxsize=4)
def _key(secret_key: str) -> bytes:
    return hashlib.sha256(_SALT + secret_key.encode()).digest()


def _mac(key: bytes, number: str) -> str:
    digest = hmac.new(key, number.encode("ascii"), hashlib.sha256).digest()
    return base64.b32encode(digest[:7]).decode("ascii")[:_MAC_LENGTH].lower()


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, rest = divmod(n, 36)
        out = digits[rest] + out
        if not n:
            return out


def attempt_token(attempt_id: int) -> str:
    number = _base36(attempt_id)
    return f"{number}-{_mac(_key(settings.SECRET_KEY), number)}"


def read_token(token: str) -> int | None:
    """The attempt a token names, or None when it was not made with our key."""
    match = _TOKEN.fullmatch(token.lower())
    if match is None:
        return None
    number, mac = match.groups()
    if not hmac.compare_digest(mac, _mac(_key(settings.SECRET_KEY), number)):
        return None
    return int(number, 36)


class BounceSenders:
    """Each attempt's envelope sender, or the message's own when
    BOUNCE_ADDRESS is not set. The address is split once; per message only
    the token is made."""

    def __init__(self, bounce_address: str | None = None):
        address = settings.BOUNCE_ADDRESS if bounce_address is None else bounce_address
        self.enabled = bool(address)
        self._before, _, self._after = address.partition("{token}")
        self._found = re.compile(re.escape(self._before) + r"([0-9a-z]+-[0-9a-z]+)" + re.escape(self._after), re.I)

    def envelope_from(self, attempt_id: int, default: str) -> str:
        if not self.enabled:
            return default
        return self._before + attempt_token(attempt_id) + self._after

    def find(self, text: str) -> list[str]:
        """The tokens in `text` that sit in our bounce address, in order."""
        if not self.enabled:
            return []
        return self._found.findall(text)
