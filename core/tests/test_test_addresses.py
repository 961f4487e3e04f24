"""An owner's test addresses: up to five, each confirmed once from a signed, expiring link
emailed to it (through the outbox, at most one a minute); tests go to a confirmed one only,
arriving with "[Test]" first, and the hourly limit counts every address of the asker."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import OutboxEmail, TestAddress
from core.services import proof_addresses as addresses
from core.services.proof_addresses import TestAddressLinkInvalid, TestAddressRefused
from core.services.proofs import SendTestRefused, send_test
from core.tests.factories import MessageFactory
from core.tests.smtp_peers import SmtpPeer
from core.tests.test_outbox import mail_server, senders_done  # noqa: F401 - the fixture


@pytest.fixture(autouse=True)
def _cron_sends(settings):
    settings.OUTBOX_SENDER_THREADS = 0  # left in the outbox: what was queued is what counts here


def link_token(email: str) -> str:
    row = OutboxEmail.objects.filter(kind="verify_test_address", recipient=email).latest("created_at")
    return re.search(r"/accounts/test-addresses/confirm/([^/\s]+)/", row.body).group(1)


def confirmed(owner, email: str) -> TestAddress:
    addresses.test_address_add(owner=owner, email=email)
    return addresses.test_address_confirm(token=link_token(email))


def test_adding_emails_a_link_that_confirms_the_address_once(owner):
    owner.full_name = "Olga"
    owner.save()
    address = addresses.test_address_add(owner=owner, email=" Colleague@Example.org ")
    assert address.email == "colleague@example.org" and not address.is_verified
    email = OutboxEmail.objects.get(kind="verify_test_address")
    assert email.recipient == "colleague@example.org" and email.requested_by == owner
    assert "Olga (owner@example.com) would like to send tests" in email.body
    token = link_token("colleague@example.org")
    assert addresses.test_address_from_link(token=token).address == address  # looking at the link confirms nothing
    assert not TestAddress.objects.get().is_verified
    assert addresses.test_address_confirm(token=token).is_verified
    with pytest.raises(TestAddressLinkInvalid) as used:
        addresses.test_address_confirm(token=token)
    assert used.value.code == "used"


def test_an_expired_or_tampered_link_confirms_nothing(owner, settings):
    addresses.test_address_add(owner=owner, email="colleague@example.org")
    token = link_token("colleague@example.org")
    other = signing.dumps([owner.pk, "someone@example.org"], salt="another salt")
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), other, "nonsense"):
        with pytest.raises(TestAddressLinkInvalid) as invalid:
            addresses.test_address_confirm(token=bad)
        assert invalid.value.code == "invalid"
    later = timezone.now() + timedelta(seconds=settings.EMAIL_VERIFICATION_MAX_AGE + 5)
    with time_machine.travel(later), pytest.raises(TestAddressLinkInvalid) as expired:
        addresses.test_address_confirm(token=token)
    assert expired.value.code == "expired"
    assert not TestAddress.objects.get().is_verified


def test_a_link_for_an_address_deleted_since_confirms_nothing(owner):
    address = addresses.test_address_add(owner=owner, email="colleague@example.org")
    token = link_token("colleague@example.org")
    address.delete()
    with pytest.raises(TestAddressLinkInvalid):
        addresses.test_address_confirm(token=token)


def test_at_most_five_and_never_ones_own_or_twice(owner, other_user):
    for n in range(5):
        addresses.test_address_add(owner=owner, email=f"colleague{n}@example.org")
    with pytest.raises(ValidationError) as sixth:
        addresses.test_address_add(owner=owner, email="colleague5@example.org")
    assert sixth.value.message_dict == {"email": ["You can have at most 5 test addresses. Delete one to add another."]}
    addresses.test_address_add(owner=other_user, email="x@example.org")
    with pytest.raises(ValidationError, match="already added"):
        addresses.test_address_add(owner=other_user, email="X@example.org")
    with pytest.raises(ValidationError, match="your own address"):
        addresses.test_address_add(owner=other_user, email="OTHER@example.com")
    with pytest.raises(ValidationError) as bad:
        addresses.test_address_add(owner=other_user, email="not an address")
    assert "email" in bad.value.message_dict
    addresses.test_address_add(owner=other_user, email="colleague0@example.org")  # another owner's five are theirs
    assert owner.test_addresses.count() == 5 and other_user.test_addresses.count() == 2


def test_the_link_goes_again_at_most_once_a_minute(owner):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        address = addresses.test_address_add(owner=owner, email="colleague@example.org")
        with pytest.raises(TestAddressRefused) as refused:
            addresses.test_address_resend(address=address, now=start + timedelta(seconds=20))
    assert refused.value.retry_after == 41
    addresses.test_address_resend(address=address, now=start + timedelta(seconds=61))
    assert OutboxEmail.objects.filter(recipient="colleague@example.org").count() == 2
    addresses.test_address_confirm(token=link_token("colleague@example.org"))
    address.refresh_from_db()
    with pytest.raises(TestAddressRefused, match="confirmed already"):
        addresses.test_address_resend(address=address)


def test_an_unconfirmed_or_unknown_address_gets_no_test(owner, other_user):
    message = MessageFactory(owner=owner)
    addresses.test_address_add(owner=owner, email="waiting@example.org")
    confirmed(other_user, "theirs@example.org")
    sent_before = OutboxEmail.objects.count()
    for address in ("waiting@example.org", "theirs@example.org", "stranger@example.org"):
        with pytest.raises(SendTestRefused) as refused:
            send_test(message=message, to=owner, recipient=address)
        assert refused.value.field == "recipient"
    assert OutboxEmail.objects.count() == sent_before
    assert addresses.test_recipients(owner) == [owner.email]


@pytest.mark.django_db(transaction=True)
def test_a_test_to_a_confirmed_address_arrives_with_test_first(mail_server, owner, settings):  # noqa: F811
    confirmed(owner, "phone@example.org")  # its link stays in the outbox: no sender thread yet
    settings.OUTBOX_SENDER_THREADS = 2
    message = MessageFactory(owner=owner, subject="Autumn sale", body="Hello {full_name}")
    with SmtpPeer() as peer:
        mail_server(peer.port)
        sent = send_test(message=message, to=owner, recipient="PHONE@example.org")
        senders_done()
    assert sent.recipient == "phone@example.org"
    (item,) = [item for item in peer.handler.received if item.rcpt_tos == ["phone@example.org"]]
    assert str(item.message["Subject"]) == "[Test] Autumn sale"
    assert item.message["To"].addresses[0].addr_spec == "phone@example.org"
    assert item.message.get_content().startswith("Hello Anna Petrova")


def test_the_hourly_limit_counts_every_address_of_the_asker(owner, settings):
    settings.TEST_SENDS_PER_HOUR = 4
    confirmed(owner, "phone@example.org")
    confirmed(owner, "colleague@example.org")
    message = MessageFactory(owner=owner)
    for recipient in (None, "phone@example.org", "colleague@example.org", "phone@example.org"):
        send_test(message=message, to=owner, recipient=recipient)
    with pytest.raises(SendTestRefused) as refused:
        send_test(message=message, to=owner, recipient="colleague@example.org")
    assert refused.value.retry_after is not None and "4 tests in the last hour" in refused.value.message
    assert addresses.test_recipients(owner) == [owner.email, "colleague@example.org", "phone@example.org"]
