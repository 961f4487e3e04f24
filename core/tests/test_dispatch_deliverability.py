"""What reaches the mailbox: RFC 8058 unsubscribe headers and line, correct
headers and encodings, DKIM; unsubscribed and dead addresses are never sent to."""

from email.utils import parseaddr

import dkim
import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from core.dkim import dkim_dns_record
from core.models import Attempt, AttemptStatus, Client, ClientEvent
from core.services.deliverability import read_unsubscribe_token
from core.services.mailings import mailing_send_now
from core.tests.conftest import NOW, assert_no_recipient_lost, dispatcher_for, make_mailing
from core.tests.smtp_peers import PeerHandler, SmtpPeer


@pytest.fixture
def sender(owner, settings):
    settings.SITE_URL = "https://mail.example.com"
    settings.DEFAULT_FROM_EMAIL = "Mail Service <news@example.com>"
    settings.MESSAGE_ID_DOMAIN = "mail.example.com"
    owner.full_name = "Örtliche Bäckerei"
    owner.reply_to = "shop@example.org"
    owner.save()
    return owner


def send(owner, peer, count=3, **message):
    with time_machine.travel(NOW, tick=False):
        mailing = make_mailing(owner, count, now=NOW, **message)
        dispatcher_for(peer.port).run()
    return mailing


def test_every_message_carries_one_click_unsubscribe_and_correct_headers(sender, peer):
    mailing = send(sender, peer)
    assert len(peer.handler.received) == 3
    for item in peer.handler.received:
        message = item.message
        link = message["List-Unsubscribe"]
        assert link.startswith("<https://mail.example.com/unsubscribe/") and link.endswith("/>")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        token = link[len("<https://mail.example.com/unsubscribe/") : -2]
        target = read_unsubscribe_token(token)
        assert target.client.email == item.rcpt_tos[0] and target.mailing_id == mailing.pk
        body = message.get_content()
        assert "To stop receiving it, unsubscribe: https://mail.example.com/unsubscribe/" + token + "/" in body
        assert parseaddr(message["From"]) == ("Örtliche Bäckerei", "news@example.com")
        assert message["Reply-To"] == "shop@example.org"
        assert message["Message-ID"].endswith("@mail.example.com>")
        assert message["Date"]


def test_non_ascii_subject_names_and_body_round_trip(sender, peer):
    owner = sender
    with time_machine.travel(NOW, tick=False):
        mailing = make_mailing(
            owner, 1, now=NOW, subject="Привет, {full_name}! Скидки 🎉", body="Здравствуйте, {full_name}."
        )
        Client.objects.filter(mailings=mailing).update(full_name="Анна Иванова-Щукина")
        dispatcher_for(peer.port).run()
    message = peer.handler.received[0].message
    assert message["Subject"] == "Привет, Анна Иванова-Щукина! Скидки 🎉"
    assert parseaddr(message["To"])[0] == "Анна Иванова-Щукина"
    assert message.get_content().startswith("Здравствуйте, Анна Иванова-Щукина.")


def test_unsubscribed_client_is_skipped_and_recorded_by_the_next_run(sender, peer):
    mailing = send(sender, peer)
    first = peer.handler.received[0]
    token = first.message["List-Unsubscribe"][len("<https://mail.example.com/unsubscribe/") : -2]
    from django.test import Client as HttpClient

    HttpClient().post(f"/unsubscribe/{token}/", "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded")
    with time_machine.travel(NOW, tick=False) as clock:
        clock.shift(60)
        run_at = mailing_send_now(mailing=mailing)
        dispatcher_for(peer.port).run()
    assert len(peer.handler.received) == 3 + 2
    assert first.rcpt_tos[0] not in [r for item in peer.handler.received[3:] for r in item.rcpt_tos]
    skipped = Attempt.objects.get(mailing=mailing, run_at=run_at, client__email=first.rcpt_tos[0])
    assert skipped.status == AttemptStatus.SKIPPED
    assert skipped.server_response == "not sent: the client unsubscribed"
    assert assert_no_recipient_lost(mailing) == {"success": 5, "skipped": 1}


def test_address_is_suppressed_after_550_5_1_1_and_skipped_afterwards(sender):
    handler = PeerHandler(replies={"c1@example.com": "550 5.1.1 <c1@example.com>: Recipient address rejected"})
    with SmtpPeer(handler) as peer:
        mailing = send(sender, peer)
        dead = Client.objects.get(owner=sender, email="c1@example.com")
        assert dead.suppressed_at is not None and dead.hard_bounces == 1
        assert "5.1.1" in dead.suppression_reason
        assert ClientEvent.objects.filter(client=dead, kind="suppressed", mailing=mailing).count() == 1
        with time_machine.travel(NOW, tick=False) as clock:
            clock.shift(60)
            run_at = mailing_send_now(mailing=mailing)
            dispatcher_for(peer.port).run()
    again = Attempt.objects.get(mailing=mailing, run_at=run_at, client=dead)
    assert again.status == AttemptStatus.SKIPPED
    assert "suppressed" in again.server_response


def test_signed_messages_verify_against_the_published_key(sender, peer, settings):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.DKIM_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    settings.DKIM_SELECTOR, settings.DKIM_DOMAIN = "s1", "example.com"
    name, value = dkim_dns_record()
    send(sender, peer, 2, subject="Привет {full_name}")
    for item in peer.handler.received:
        assert item.data.startswith(b"DKIM-Signature:")
        assert dkim.verify(
            item.data, dnsfunc=lambda q, timeout=5: value.encode() if q.rstrip(b".") == name.encode() else None
        )
