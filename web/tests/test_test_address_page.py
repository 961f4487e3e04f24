"""The link emailed to a test address: opening it asks (mail scanners open links and must
confirm nothing), the button confirms, once; a used, expired or altered link says so.
The profile page carries the test addresses."""

import re
from datetime import timedelta

import time_machine
from django.utils import timezone

from core.models import OutboxEmail, TestAddress
from core.services import proof_addresses as addresses


def link_path(email: str) -> str:
    body = OutboxEmail.objects.get(kind="verify_test_address", recipient=email).body
    return re.search(r"https?://[^/\s]+(/accounts/test-addresses/confirm/[^\s]+/)", body).group(1)


def test_opening_the_link_asks_and_the_button_confirms_once(client, owner, settings):
    settings.OUTBOX_SENDER_THREADS = 0
    owner.full_name = "Olga"
    owner.save()
    addresses.test_address_add(owner=owner, email="phone@example.org")
    path = link_path("phone@example.org")
    asked = client.get(path)  # nobody is logged in: the reader of the address may be anyone
    assert asked.status_code == 200
    html = asked.content.decode()
    assert "Olga (owner@example.com) would like to send tests of their email campaigns to phone@example.org." in html
    assert '<form method="post">' in html and not TestAddress.objects.get().is_verified
    done = client.post(path)
    assert done.status_code == 200 and "phone@example.org is confirmed" in done.content.decode()
    assert TestAddress.objects.get().is_verified
    used = client.post(path)
    assert used.status_code == 400 and "the link has been used" in used.content.decode()
    assert client.get(path).status_code == 400


def test_an_expired_or_altered_link_is_refused(client, owner, settings):
    settings.OUTBOX_SENDER_THREADS = 0
    addresses.test_address_add(owner=owner, email="phone@example.org")
    path = link_path("phone@example.org")
    altered = client.post(path.replace("/confirm/", "/confirm/x"))
    assert altered.status_code == 400 and "This confirmation link is not valid." in altered.content.decode()
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.EMAIL_VERIFICATION_MAX_AGE + 5)):
        expired = client.post(path)
    assert expired.status_code == 400 and "This confirmation link has expired." in expired.content.decode()
    assert not TestAddress.objects.get().is_verified


def test_the_profile_page_loads_the_test_addresses(client, owner):
    client.force_login(owner)
    html = client.get("/accounts/profile/").content.decode()
    assert 'hx-get="/api/test-addresses/" hx-trigger="load"' in html and ">Test addresses</h2>" in html


def test_in_russian(client, owner, settings):
    settings.OUTBOX_SENDER_THREADS = 0
    owner.language = "ru"
    owner.save()
    addresses.test_address_add(owner=owner, email="phone@example.org")
    email = OutboxEmail.objects.get()
    assert email.subject == "Подтвердите этот адрес для тестовых писем" and "хочет отправлять проверки" in email.body
    client.force_login(owner)
    assert "Подтвердить этот адрес" in client.get(link_path("phone@example.org")).content.decode()
