from datetime import UTC, datetime

from core.dispatch.outcomes import Stage, from_reply
from core.models import Client, ClientEvent
from core.services.deliverability import record_unknown_recipient
from core.tests.factories import ClientFactory, MailingFactory

RUN = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_only_a_no_such_mailbox_reply_for_the_recipient_is_a_hard_bounce():
    def bounce(code, text, stage):
        return from_reply(code, text, stage=stage).hard_bounce

    assert bounce(550, "5.1.1 <anna@example.org>: Recipient address rejected: User unknown", Stage.RCPT)
    assert bounce(550, "5.1.10 Recipient address has null MX", Stage.RCPT)
    assert bounce(550, "5.1.2 Bad destination system address", Stage.END_OF_DATA)
    assert not bounce(550, "5.1.8 Access denied, bad outbound sender", Stage.RCPT)
    assert not bounce(550, "5.1.7 Bad sender's mailbox address syntax", Stage.END_OF_DATA)
    assert not bounce(550, "5.1.1 Sender unknown", Stage.MAIL)
    assert not bounce(554, "5.1.1 no valid recipients", Stage.DATA)
    assert not bounce(550, "5.7.1 Message rejected as spam", Stage.END_OF_DATA)
    assert not bounce(452, "4.1.1 Mailbox temporarily unavailable", Stage.RCPT)


def test_address_is_suppressed_after_the_configured_count(owner, settings):
    settings.SUPPRESS_AFTER_HARD_BOUNCES = 2
    client = ClientFactory(owner=owner)
    mailing = MailingFactory(owner=owner, clients=[client])
    assert not record_unknown_recipient(client_id=client.pk, mailing_id=mailing.pk, run_at=RUN, reply="5.1.1 unknown")
    assert Client.objects.get(pk=client.pk).suppressed_at is None
    assert record_unknown_recipient(client_id=client.pk, mailing_id=mailing.pk, run_at=RUN, reply="5.1.1 unknown")
    client.refresh_from_db()
    assert client.suppressed_at is not None and client.hard_bounces == 2
    assert not record_unknown_recipient(client_id=client.pk, mailing_id=mailing.pk, run_at=RUN, reply="5.1.1 unknown")
    assert ClientEvent.objects.filter(client=client, kind="suppressed", mailing=mailing).count() == 1
