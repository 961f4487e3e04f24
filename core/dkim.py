"""DKIM signing of outgoing mail, when a key, selector and domain are configured.

The message is parsed, canonicalised (relaxed/relaxed) and its headers hashed
by dkimpy's own functions (`rfc822_parse`, `Relaxed`, `hash_headers`); the RSA
signature is made here by `cryptography` (OpenSSL) with the key parsed once.
dkimpy's `sign` would parse the PEM key again and sign with its pure-Python
RSA for every message — about 10 ms a signature. dkimpy verifies what this
makes (core/tests/test_dkim.py).
"""

import base64
import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import dkim
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from dkim.canonicalization import Relaxed

SIGNED_HEADERS = [b"from", b"to", b"subject", b"date", b"message-id", b"reply-to", b"list-unsubscribe",
                  b"list-unsubscribe-post", b"mime-version", b"content-type"]  # fmt: skip
_B64_LINE = 72  # the signature is folded onto lines of this many characters


def dkim_enabled() -> bool:
    return bool(settings.DKIM_PRIVATE_KEY and settings.DKIM_SELECTOR and settings.DKIM_DOMAIN)


@cache
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DKIM_PRIVATE_KEY is not a readable PEM private key: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured("DKIM_PRIVATE_KEY must be an RSA key.")
    return key


class Signing:
    """A message whose DKIM signature is being made in a thread of its own: the
    RSA step runs in OpenSSL without Python's lock, so a dispatcher signs the
    next message while the current one goes out. `result()` is the signed message."""

    def __init__(self, message: bytes):
        self.message = message
        self._value, digest = _header_and_digest(message)
        self._signature = _signer().submit(_rsa_sign, _private_key(settings.DKIM_PRIVATE_KEY), digest)

    def result(self) -> bytes:
        return _signed(self._value, self._signature.result(), self.message)


def dkim_sign(message: bytes) -> bytes:
    """The message with a DKIM-Signature header prepended (relaxed/relaxed, rsa-sha256)."""
    value, digest = _header_and_digest(message)
    return _signed(value, _rsa_sign(_private_key(settings.DKIM_PRIVATE_KEY), digest), message)


def _header_and_digest(message: bytes) -> tuple[bytes, bytes]:
    """The DKIM-Signature header's value up to its empty b=, and the hash to sign."""
    domain, selector = settings.DKIM_DOMAIN.encode(), settings.DKIM_SELECTOR.encode()
    headers, body = dkim.rfc822_parse(message)
    body_hash = base64.b64encode(hashlib.sha256(Relaxed.canonicalize_body(body)).digest())
    fields = [
        (b"v", b"1"),
        (b"a", b"rsa-sha256"),
        (b"c", b"relaxed/relaxed"),
        (b"d", domain),
        (b"i", b"@" + domain),
        (b"q", b"dns/txt"),
        (b"s", selector),
        (b"t", str(int(time.time())).encode("ascii")),
        (b"h", b" : ".join(SIGNED_HEADERS)),
        (b"bh", body_hash),
    ]
    # One tag a line; b= on a line of its own, hashed empty (RFC 6376 3.7).
    value = b";\r\n ".join(b"=".join(tag) for tag in fields) + b";\r\n b="
    hasher = hashlib.sha256()
    dkim.hash_headers(
        hasher, Relaxed, Relaxed.canonicalize_headers(headers), SIGNED_HEADERS, (b"DKIM-Signature", b" " + value), {}
    )
    return value, hasher.digest()


def _rsa_sign(key: rsa.RSAPrivateKey, digest: bytes) -> bytes:
    return key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))


def _signed(value: bytes, signature: bytes, message: bytes) -> bytes:
    encoded = base64.b64encode(signature)
    folded = b"\r\n ".join(encoded[i : i + _B64_LINE] for i in range(0, len(encoded), _B64_LINE))
    return b"DKIM-Signature: " + value + folded + b"\r\n" + message


@cache
def _signer() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(1, thread_name_prefix="dkim")


def dkim_dns_record() -> tuple[str, str]:
    """(name, TXT value) to publish for the configured key."""
    public = (
        _private_key(settings.DKIM_PRIVATE_KEY)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return (
        f"{settings.DKIM_SELECTOR}._domainkey.{settings.DKIM_DOMAIN}",
        f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode()}",
    )
