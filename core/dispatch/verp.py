"""Envelope senders that say which attempt a bounce is about (VERP).

With BOUNCE_ADDRESS = `bounces+{token}@mail.example.com`, the message of
attempt 12345 leaves with `MAIL FROM:<bounces+3039-5f0c1e7a9b2d4@mail.example.com>`:
the attempt's id in hexadecimal and 52 bits of a keyed BLAKE2 hash of it
under SECRET_KEY, lower case only (some mail systems change the case of local
parts). A bounce comes back to that address; without the key nobody can make
a token that names another attempt, so a forged bounce cannot suppress an
address. Making one costs a microsecond or two per message.
"""

import hashlib
import hmac
import re
from functools import lru_cache

from django.conf import settings

_SALT = b"mail_service.verp"
_MAC_LENGTH = 13  # hexadecimal digits: 52 bits
_TOKEN = re.compile(rf"([0-9a-f]{{1,16}})-([0-9a-f]{{{_MAC_LENGTH}}})")


@lru_cache(maxsize=4)
def _key(secret_key: str):
    """The keyed hash, ready to be copied for each token (cheaper than keying it anew)."""
    return hashlib.blake2b(key=hashlib.sha256(_SALT + secret_key.encode()).digest(), digest_size=8)


def _mac(key, number: str) -> str:
    mac = key.copy()
    mac.update(number.encode("ascii"))
    return mac.hexdigest()[:_MAC_LENGTH]


def attempt_token(attempt_id: int, *, key=None) -> str:
    number = format(attempt_id, "x")
    return f"{number}-{_mac(key or _key(settings.SECRET_KEY), number)}"


def read_token(token: str) -> int | None:
    """The attempt a token names, or None when it was not made with our key."""
    match = _TOKEN.fullmatch(token.lower())
    if match is None:
        return None
    number, mac = match.groups()
    if not hmac.compare_digest(mac, _mac(_key(settings.SECRET_KEY), number)):
        return None
    return int(number, 16)


class BounceSenders:
    """Each attempt's envelope sender, or the message's own when
    BOUNCE_ADDRESS is not set. The address is split and the key made once;
    per message only the token is made."""

    def __init__(self, bounce_address: str | None = None):
        address = settings.BOUNCE_ADDRESS if bounce_address is None else bounce_address
        self.enabled = bool(address)
        self._key = _key(settings.SECRET_KEY)
        self._before, _, self._after = address.partition("{token}")
        self._found = re.compile(re.escape(self._before) + r"([0-9a-z]+-[0-9a-z]+)" + re.escape(self._after), re.I)

    def envelope_from(self, attempt_id: int, default: str) -> str:
        if not self.enabled:
            return default
        return self._before + attempt_token(attempt_id, key=self._key) + self._after

    def find(self, text: str) -> list[str]:
        """The tokens in `text` that sit in our bounce address, in order."""
        if not self.enabled:
            return []
        return self._found.findall(text)
