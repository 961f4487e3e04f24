"""DKIM signing of outgoing mail (dkimpy), when a key, selector and domain are configured."""

import base64
from functools import cache

import dkim
from cryptography.hazmat.primitives import serialization
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


def dkim_sign(message: bytes) -> bytes:
    """The message with a DKIM-Signature header prepended (relaxed/relaxed, rsa-sha256)."""
    signature = dkim.sign(
        message,
        settings.DKIM_SELECTOR.encode(),
        settings.DKIM_DOMAIN.encode(),
        _private_key_pem(settings.DKIM_PRIVATE_KEY),
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
