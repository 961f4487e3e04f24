from datetime import UTC, datetime

from core.models import Client, ClientEvent
from core.services.deliverability import is_unknown_recipient, record_unknown_recipient
from core.tests.factories import ClientFactory, MailingFactory

RUN = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_only_5_1_x_replies_mean_unknown_recipient():
    assert is_unknown_recipient(550, "5.1.1 <anna@example.org>: Recipient address rejected: User unknown")
    assert is_unknown_recipient(550, "550 5.1.1 No such user")
    assert not is_unknown_recipient(550, "5.7.1 Message rejected as spam")
    assert not is_unknown_recipient(452, "4.1.1 Mailbox temporarily unavailable")
    assert not is_unknown_recipient(None, "connection refused")


def test_address_is_suppressed_after_the_configured_count(owner, settings):
    settings.SUPPRESS_AFTER_HARD_BOUNCES = 2
    client = ClientFactory(owner=owner)
    mailing = MailingFactory(owner=owner, clients=[client])
    assert not record_unknown_recipient(client_id=client.pk, mailing_id=mailing.pk, run_at=RUN, reply="5.1.1 unknown")
    assert Client.objects.get(pk=client.pk).suppressed_at is None
    assert record_unknown_recipient(client_id=client.pk, mailing_id=mailing.pk, run_at=RUN, reply="5.1.1 unknown")
    client.refresh_from_db()
    assert client.suppressed_at is not None and client.hard_bounces == 2 and not client.can_receive
    assert not record_unknown_recipient(client_id=client.pk, mailing_id=mailing.pk, run_at=RUN, reply="5.1.1 unknown")
    assert ClientEvent.objects.filter(client=client, kind="suppressed", mailing=mailing).count() == 1
