"""A signed message verifies with dkimpy against the published record."""

from email.message import EmailMessage

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import CommandError, call_command

from core.dkim import dkim_dns_record, dkim_sign


@pytest.fixture
def dkim_settings(settings):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.DKIM_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    settings.DKIM_SELECTOR = "mail2026"
    settings.DKIM_DOMAIN = "example.com"
    return settings


def message_bytes(subject="Привет, Анна!"):
    message = EmailMessage()
    message["From"] = "Shop <news@example.com>"
    message["To"] = "anna@example.org"
    message["Subject"] = subject
    message["Message-ID"] = "<1@example.com>"
    message.set_content("Здравствуйте!\n")
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def test_signed_message_verifies_against_the_published_record(dkim_settings, capsys):
    call_command("dkim_record")
    printed = capsys.readouterr().out.strip()
    name, value = dkim_dns_record()
    assert printed == f'{name}. IN TXT "{value}"'
    assert name == "mail2026._domainkey.example.com"

    def dns(query, timeout=5):
        return value.encode() if query == f"{name}.".encode() or query == name.encode() else None

    signed = dkim_sign(message_bytes())
    assert signed.startswith(b"DKIM-Signature:")
    assert dkim.verify(signed, dnsfunc=dns)
    tampered = signed.replace(b"anna@example.org", b"eve@example.org")
    assert tampered != signed
    assert not dkim.verify(tampered, dnsfunc=dns)


def test_dkim_record_refuses_without_configuration(settings):
    settings.DKIM_PRIVATE_KEY = ""
    with pytest.raises(CommandError, match="DKIM is not configured"):
        call_command("dkim_record")
