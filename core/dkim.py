"""DKIM signing of outgoing mail, when a key, selector and domain are configured.

dkimpy builds the header (canonicalization, body hash, the signed header list);
the RSA signature itself is made by `cryptography` (OpenSSL). dkimpy's own RSA
is pure Python and parses the PEM key again for every message: about 10 ms a
signature, which held a DKIM-signing dispatcher to some 80 messages a second.
dkimpy looks both functions up in its module when it signs, so `_FastKey`
takes their place for our key only (`dkim.parse_pem_private_key`,
`dkim.RSASSA_PKCS1_v1_5_sign` below); any other key goes the old way.
"""

import base64
from functools import cache

import dkim
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SIGNED_HEADERS = [b"from", b"to", b"subject", b"date", b"message-id", b"reply-to", b"list-unsubscribe",
                  b"list-unsubscribe-post", b"mime-version", b"content-type"]  # fmt: skip


def dkim_enabled() -> bool:
    return bool(settings.DKIM_PRIVATE_KEY and settings.DKIM_SELECTOR and settings.DKIM_DOMAIN)


@cache
def _private_key_pem(pem: str) -> bytes:
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DKIM_PRIVATE_KEY is not a readable PEM private key: {exc}") from None
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )


class _FastKey:
    """Our private key, parsed once, signing through OpenSSL."""

    def __init__(self, pem: bytes):
        self.pem = pem
        self.key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(self.key, rsa.RSAPrivateKey):
            raise ImproperlyConfigured("DKIM_PRIVATE_KEY must be an RSA key.")

    def sign(self, hash_context) -> bytes:
        return self.key.sign(hash_context.digest(), padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))


@cache
def _fast_key(pem: bytes) -> _FastKey:
    return _FastKey(pem)


_dkimpy_parse_key = dkim.parse_pem_private_key
_dkimpy_rsa_sign = dkim.RSASSA_PKCS1_v1_5_sign


def _parse_key(data):
    return data if isinstance(data, _FastKey) else _dkimpy_parse_key(data)


def _rsa_sign(hash_context, key):
    return key.sign(hash_context) if isinstance(key, _FastKey) else _dkimpy_rsa_sign(hash_context, key)


dkim.parse_pem_private_key = _parse_key
dkim.RSASSA_PKCS1_v1_5_sign = _rsa_sign


def dkim_sign(message: bytes) -> bytes:
    """The message with a DKIM-Signature header prepended (relaxed/relaxed, rsa-sha256)."""
    signature = dkim.sign(
        message,
        settings.DKIM_SELECTOR.encode(),
        settings.DKIM_DOMAIN.encode(),
        _fast_key(_private_key_pem(settings.DKIM_PRIVATE_KEY)),
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=SIGNED_HEADERS,
    )
    return signature + message


def dkim_dns_record() -> tuple[str, str]:
    """(name, TXT value) to publish for the configured key."""
    key = serialization.load_pem_private_key(_private_key_pem(settings.DKIM_PRIVATE_KEY), password=None)
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return (
        f"{settings.DKIM_SELECTOR}._domainkey.{settings.DKIM_DOMAIN}",
        f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode()}",
    )
