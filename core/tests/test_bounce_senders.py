"""Envelope senders that name their attempt (VERP): with BOUNCE_ADDRESS set each
mailing message leaves with its own signed bounce address, also when its
envelope goes out ahead of the previous message's data; without it, and for
test sends and account emails, the plain sender stays."""

import pytest

from core.dispatch.outcomes import Kind
from core.dispatch.transport import SmtpTransport
from core.dispatch.verp import BounceSenders, attempt_token, read_token
from core.models import Attempt
from core.tests.conftest import dispatcher_for, fast_config, make_mailing
from core.tests.smtp_peers import SmtpPeer, StagedHandler

pytestmark = pytest.mark.django_db

BOUNCES = "bounces+{token}@bounces.example.com"


def _attempt_of(mail_from: str) -> int | None:
    tokens = BounceSenders(BOUNCES).find(mail_from)
    return read_token(tokens[0]) if len(tokens) == 1 else None


@pytest.mark.parametrize("pipelining", [True, False])
def test_every_message_leaves_with_the_bounce_address_of_its_own_attempt(owner, settings, pipelining):
    settings.BOUNCE_ADDRESS = BOUNCES
    mailing = make_mailing(owner, 4)
    with SmtpPeer(StagedHandler(pipelining=pipelining)) as peer:
        dispatcher_for(peer.port).run()

    by_recipient = {item.rcpt_tos[0]: item.mail_from for item in peer.handler.received}
    attempts = {a.client.email: a.pk for a in Attempt.objects.filter(mailing=mailing).select_related("client")}
    assert {rcpt: _attempt_of(sender) for rcpt, sender in by_recipient.items()} == attempts
    assert len(peer.handler.mail_froms) == 4  # envelopes sent ahead were used, none sent twice
    assert all(sender.islower() and len(sender) < 64 for sender in by_recipient.values())


def test_without_a_bounce_address_the_configured_sender_stays(owner, settings):
    settings.BOUNCE_ADDRESS = ""
    settings.DEFAULT_FROM_EMAIL = "Shop <news@example.com>"
    make_mailing(owner, 3)
    with SmtpPeer(StagedHandler(pipelining=True)) as peer:
        dispatcher_for(peer.port).run()

    assert [item.mail_from for item in peer.handler.received] == ["news@example.com"] * 3


def test_an_envelope_sent_ahead_with_another_sender_is_never_used():
    """The next recipient's envelope went out ahead with the sender expected
    for them; if their message then comes with another sender (another attempt
    for the same address), that envelope is dropped, not reused."""
    from core.tests.test_dispatch_smtp_stages import _rendered

    with SmtpPeer(StagedHandler(pipelining=True)) as peer:
        transport = SmtpTransport(fast_config(), host="127.0.0.1", port=peer.port)
        _, first = _rendered("first@example.com")
        _, second = _rendered("second@example.com")
        sent = transport.send("bounces+1@b.example.com", first, then="second@example.com", then_from="bounces+2@b.e")
        assert sent.kind is Kind.SUCCESS
        assert transport.send("bounces+3@b.example.com", second).kind is Kind.SUCCESS
        transport.close()

    assert [(item.mail_from, item.rcpt_tos) for item in peer.handler.received] == [
        ("bounces+1@b.example.com", ["first@example.com"]),
        ("bounces+3@b.example.com", ["second@example.com"]),
    ]


def test_a_token_names_its_attempt_and_no_other():
    token = attempt_token(12345)
    assert read_token(token) == 12345
    assert read_token(token.upper()) == 12345  # a mail system that upper-cases the local part
    number, mac = token.split("-")
    assert read_token(f"{number}-{mac[:-1]}{'a' if mac[-1] != 'a' else 'b'}") is None
    assert read_token(f"{int(number, 16) + 1:x}-{mac}") is None
    assert read_token("garbage") is None
