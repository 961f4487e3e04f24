"""A test of a message goes to the asker's own address, built as the dispatcher
builds it for the chosen client, "[Test]" first — through the outbox, never an
attempt nor in a report, at most TEST_SENDS_PER_HOUR an hour."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.models import Attempt, DailyStats, MessageFormat, OutboxEmail, OutboxStatus, RunStats
from core.services.proofs import SendTestRefused, send_test
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory
from core.tests.smtp_peers import SmtpPeer
from core.tests.test_outbox import mail_server, senders_done  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_markdown_test_arrives_for_the_chosen_client_and_is_in_no_report(mail_server, owner, settings):  # noqa: F811
    settings.DEFAULT_FROM_EMAIL = "Mail Service <news@example.com>"
    owner.full_name, owner.language = "Örtliche Bäckerei", "ru"
    owner.save()
    message = MessageFactory(owner=owner, subject="Привет, {full_name}", body="# Hi {full_name}", format="markdown")
    client = ClientFactory(owner=owner, full_name="Анна <b>", email="anna@example.org")
    MailingFactory(owner=owner, message=message, clients=[client])
    with SmtpPeer() as peer:
        mail_server(peer.port)
        sent = send_test(message=message, to=owner, client=client)
        senders_done()
    assert sent.recipient == owner.email and sent.subject == "[Test] Привет, Анна <b>"
    (item,) = peer.handler.received
    assert item.rcpt_tos == [owner.email] and item.mail_from == "news@example.com"
    received = item.message
    assert str(received["Subject"]) == "[Test] Привет, Анна <b>"
    assert received["To"].addresses[0].addr_spec == owner.email
    assert received["From"].addresses[0].display_name == "Örtliche Bäckerei"
    assert received["List-Unsubscribe"] is None  # a click must not unsubscribe the client
    assert received.get_content_type() == "multipart/alternative"
    text, html = (part.get_content() for part in received.iter_parts())
    assert text.startswith("Hi Анна <b>") and "отпишитесь: (личная ссылка клиента)" in text
    assert ">Hi Анна &lt;b&gt;</h1>" in html
    assert OutboxEmail.objects.get().status == OutboxStatus.SENT
    assert not Attempt.objects.exists() and not RunStats.objects.exists() and not DailyStats.objects.exists()


def test_a_plain_test_for_the_sample_client(mail_server, owner):  # noqa: F811
    message = MessageFactory(owner=owner, subject="Hi {full_name}", body="For {email}.")
    with SmtpPeer() as peer:
        mail_server(peer.port)
        send_test(message=message, to=owner)
        senders_done()
    (item,) = peer.handler.received
    assert str(item.message["Subject"]) == "[Test] Hi Anna Petrova"
    assert item.message.get_content_type() == "text/plain"
    assert item.message.get_content().startswith("For anna.petrova@example.com.")


def test_at_most_ten_an_hour_to_one_address(owner, other_user, settings):
    settings.OUTBOX_SENDER_THREADS = 0  # left to cron: only the count matters here
    message = MessageFactory(owner=owner)
    start = timezone.now()
    with time_machine.travel(start, tick=False):  # the rows' own times: exactly `start`
        for minute in range(10):
            send_test(message=message, to=owner, now=start + timedelta(minutes=minute))
        with pytest.raises(SendTestRefused) as refused:
            send_test(message=message, to=owner, now=start + timedelta(minutes=30))
    assert refused.value.retry_after == 30 * 60 + 1
    assert "10 tests in the last hour; the next one can go in 31 minutes" in refused.value.message
    assert OutboxEmail.objects.count() == 10
    send_test(message=MessageFactory(owner=other_user), to=other_user)  # another person's count is theirs
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        send_test(message=message, to=owner)  # the first left the hour
    assert OutboxEmail.objects.filter(recipient=owner.email).count() == 11


def test_a_message_that_cannot_be_built_is_refused_with_the_reason(owner):
    message = MessageFactory.build(owner=owner, subject="Hi {name}", body="b", format=MessageFormat.MARKDOWN)
    message.save()
    with pytest.raises(SendTestRefused, match="unknown placeholder"):
        send_test(message=message, to=owner)
    assert not OutboxEmail.objects.exists()
