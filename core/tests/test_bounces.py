"""Bounces that arrive later: a Postfix delivery-status notification for a
message the dispatcher really sent (to an SMTP peer, from its VERP address)
is read from the bounce mailbox — a Maildir, or a real IMAP server — and
recorded on its attempt; a "no such user" one suppresses the address like a
refusal while sending. Forged, unrelated and repeated mail changes nothing,
and a mailbox that cannot be read fails the job with the reason."""

import logging
import mailbox
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django_cron.models import CronJobLog

from core.bounces.reading import MailboxUnavailable, read_bounces
from core.dispatch.statistics import recount_all_stale
from core.models import Attempt, Client, ClientEvent, ClientEventKind, RunStats
from core.tests.conftest import dispatcher_for, make_mailing
from core.tests.imap_peers import ImapPeer
from core.tests.smtp_peers import Received, SmtpPeer, StagedHandler, free_port

pytestmark = pytest.mark.django_db

BOUNCES = "bounces+{token}@bounces.example.com"
SAMPLE = (Path(__file__).parent / "fixtures" / "postfix_bounce.eml").read_text()
UNRELATED = (
    b"From: Anna <anna@customer.example>\nTo: bounces@bounces.example.com\nSubject: Thanks!\n"
    b"Message-ID: <thanks-1@customer.example>\n\nThank you for the newsletter.\n"
)


@pytest.fixture
def sent(owner, settings) -> list[Received]:
    """Two clients' messages, as the SMTP peer received them from the dispatcher."""
    settings.BOUNCE_ADDRESS = BOUNCES
    make_mailing(owner, 2)
    with SmtpPeer(StagedHandler(pipelining=True)) as peer:
        dispatcher_for(peer.port).run()
    return sorted(peer.handler.received, key=lambda item: item.rcpt_tos[0])


def postfix_bounce(
    received: Received, *, status: str = "5.1.1", sender: str | None = None, return_path: str = ""
) -> bytes:
    """The notification Postfix sends back to the envelope sender when the
    recipient's server refuses the message it had accepted for relaying
    (`return_path`: the returned headers begin with one)."""
    headers = received.data.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode()
    if return_path:
        headers = f"Return-Path: <{return_path}>\n{headers}"
    text = SAMPLE.replace("@@SENDER@@", sender or received.mail_from).replace("@@HEADERS@@", headers)
    return text.replace("@@RECIPIENT@@", received.rcpt_tos[0]).replace("@@STATUS@@", status).encode()


def maildir_with(tmp_path, *messages: bytes) -> tuple[str, mailbox.Maildir]:
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    for message in messages:
        box.add(message)
    return f"maildir:{tmp_path / 'bounces'}", box


def attempt_to(email: str) -> Attempt:
    return Attempt.objects.select_related("client").get(client__email=email)


def test_a_postfix_bounce_is_recorded_on_its_attempt_and_suppresses_the_address(sent, tmp_path):
    bounced, other = sent
    url, box = maildir_with(tmp_path, postfix_bounce(bounced), UNRELATED)

    result = read_bounces(mailbox_url=url)

    assert (result.counts["bounced"], result.counts["left"]) == (1, 1)
    attempt = attempt_to(bounced.rcpt_tos[0])
    assert attempt.status == "success" and attempt.bounced_at is not None
    assert attempt.bounce_status == "5.1.1"
    assert attempt.bounce_diagnostic == (
        f"550 5.1.1 <{bounced.rcpt_tos[0]}>: Recipient address rejected: User unknown in virtual mailbox table"
    )
    client = Client.objects.get(pk=attempt.client_id)
    assert client.suppressed_at is not None and client.hard_bounces == 1
    assert "5.1.1" in client.suppression_reason
    assert ClientEvent.objects.filter(client=client, kind=ClientEventKind.SUPPRESSED).count() == 1
    untouched = attempt_to(other.rcpt_tos[0])
    assert untouched.bounced_at is None and Client.objects.get(pk=untouched.client_id).suppressed_at is None
    # The report counts it as bounced, not sent.
    recount_all_stale()
    run = RunStats.objects.get()
    assert (run.sent, run.bounced, run.reached) == (1, 1, 1)
    # The notification is gone; the unrelated message stays, as it was, and is not read again.
    assert [m.as_bytes() for m in box] == [mailbox.MaildirMessage(UNRELATED).as_bytes()]
    assert read_bounces(mailbox_url=url).counts.total() == 0


def test_the_token_is_found_in_the_returned_headers_when_the_bounce_went_to_an_alias(sent, tmp_path):
    bounced, _ = sent
    to_alias = postfix_bounce(bounced, sender="bounces@bounces.example.com", return_path=bounced.mail_from)
    url, _ = maildir_with(tmp_path, to_alias)

    assert read_bounces(mailbox_url=url).counts["bounced"] == 1
    assert attempt_to(bounced.rcpt_tos[0]).bounce_status == "5.1.1"


def test_a_bounce_for_a_full_mailbox_is_recorded_but_suppresses_nobody(sent, tmp_path):
    bounced, _ = sent
    url, box = maildir_with(tmp_path, postfix_bounce(bounced, status="5.2.2"))

    assert read_bounces(mailbox_url=url).counts["bounced"] == 1

    attempt = attempt_to(bounced.rcpt_tos[0])
    assert attempt.bounce_status == "5.2.2"
    client = Client.objects.get(pk=attempt.client_id)
    assert client.suppressed_at is None and client.hard_bounces == 0
    assert len(box) == 0


def test_a_bounce_without_a_delivery_report_is_recognised_but_suppresses_nobody(sent, tmp_path):
    """An older mail system's prose bounce (qmail's): flufl.bounce finds the
    failed address; with no status code to go by, nobody is suppressed."""
    bounced, _ = sent
    qmail = (
        f"From: MAILER-DAEMON@mx.customer.example\nTo: {bounced.mail_from}\nSubject: failure notice\n\n"
        "Hi. This is the qmail-send program at mx.customer.example.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        f"<{bounced.rcpt_tos[0]}>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
        "--- Below this line is a copy of the message.\n"
    ).encode()
    url, box = maildir_with(tmp_path, qmail)

    assert read_bounces(mailbox_url=url).counts["bounced"] == 1

    attempt = attempt_to(bounced.rcpt_tos[0])
    assert attempt.bounced_at is not None and attempt.bounce_status == "5.0.0"
    assert Client.objects.get(pk=attempt.client_id).suppressed_at is None
    assert len(box) == 0


def test_a_bounce_delivered_twice_counts_once(sent, tmp_path, settings):
    settings.SUPPRESS_AFTER_HARD_BOUNCES = 2
    bounced, _ = sent
    url, box = maildir_with(tmp_path, postfix_bounce(bounced), postfix_bounce(bounced))

    result = read_bounces(mailbox_url=url)

    assert (result.counts["bounced"], result.counts["repeated"]) == (1, 1)
    client = Client.objects.get(email=bounced.rcpt_tos[0])
    assert client.hard_bounces == 1 and client.suppressed_at is None
    assert len(box) == 0


@pytest.mark.parametrize("forge", ["tampered", "another attempt's number"])
def test_a_forged_token_is_ignored_and_the_message_left(sent, tmp_path, forge, caplog):
    bounced, _ = sent
    local, domain = bounced.mail_from.split("@")
    number, mac = local.removeprefix("bounces+").split("-")
    if forge == "tampered":
        mac = mac[:-1] + ("a" if mac[-1] != "a" else "b")
    else:
        number = format(int(number, 16) + 1000, "x")
    forged = postfix_bounce(bounced, sender=f"bounces+{number}-{mac}@{domain}")
    url, box = maildir_with(tmp_path, forged)

    with caplog.at_level(logging.WARNING, logger="core.bounces.reading"):
        result = read_bounces(mailbox_url=url)

    assert result.counts["left"] == 1 and result.counts["bounced"] == 0
    assert not Attempt.objects.filter(bounced_at__isnull=False).exists()
    assert not Client.objects.filter(suppressed_at__isnull=False).exists()
    assert len(box) == 1
    assert "token we did not sign" in caplog.text


def test_at_most_the_batch_is_read_in_one_pass(sent, tmp_path, settings):
    settings.BOUNCE_BATCH = 2
    first, second = sent
    url, _ = maildir_with(tmp_path, postfix_bounce(first), postfix_bounce(second), UNRELATED)

    assert read_bounces(mailbox_url=url).counts.total() == 2
    assert read_bounces(mailbox_url=url).counts.total() == 1
    assert Attempt.objects.filter(bounced_at__isnull=False).count() == 2


def test_a_bounce_read_over_imap_is_recorded_and_deleted_there(sent):
    bounced, _ = sent
    with ImapPeer() as imap:
        before = imap.messages()
        imap.append(postfix_bounce(bounced))
        imap.append(UNRELATED)

        result = read_bounces(mailbox_url=imap.url())

        assert result.counts["bounced"] == 1
        assert result.counts["left"] >= 1  # ours, and the account's own unread mail
        after = imap.messages()
    assert len(after) == len(before) + 1
    assert any(b"Thank you for the newsletter." in message for message in after)
    assert not any(b"Undelivered Mail Returned to Sender" in message for message in after)
    assert attempt_to(bounced.rcpt_tos[0]).bounce_status == "5.1.1"


def test_a_wrong_imap_password_is_reported_not_raised_further(db, caplog):
    with (
        ImapPeer() as imap,
        caplog.at_level(logging.WARNING, logger="core.bounces.reading"),
        pytest.raises(MailboxUnavailable, match=r"login: \[AUTHENTICATIONFAILED\]"),
    ):
        read_bounces(mailbox_url=imap.url(password="wrong"))
    assert "bounce mailbox unavailable" in caplog.text and "login" in caplog.text


@pytest.mark.parametrize("scheme", ["imap", "imaps"])
def test_a_refused_connection_is_reported_with_its_reason(db, caplog, scheme):
    url = f"{scheme}://user:secret@127.0.0.1:{free_port()}/INBOX"
    with (
        caplog.at_level(logging.WARNING, logger="core.bounces.reading"),
        pytest.raises(MailboxUnavailable, match=r"cannot connect to the IMAP server 127\.0\.0\.1"),
    ):
        read_bounces(mailbox_url=url)
    assert "Connection refused" in caplog.text
    assert "secret" not in caplog.text


def test_a_missing_maildir_is_reported(db, tmp_path):
    with pytest.raises(MailboxUnavailable, match="cannot be read"):
        read_bounces(mailbox_url=f"maildir:{tmp_path / 'nowhere'}")


def _runcrons() -> str:
    out = StringIO()
    call_command("runcrons", stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_cron_job_records_bounces_before_the_reports_are_counted(sent, tmp_path, settings):
    bounced, _ = sent
    settings.BOUNCE_MAILBOX, box = maildir_with(tmp_path, postfix_bounce(bounced))

    output = _runcrons()

    assert "[✔] core.bounces" in output
    assert "1 bounce(s) recorded" in CronJobLog.objects.filter(code="core.bounces").latest("id").message
    assert attempt_to(bounced.rcpt_tos[0]).bounce_status == "5.1.1"
    assert RunStats.objects.get().bounced == 1
    assert len(box) == 0


@pytest.mark.django_db(transaction=True)
def test_a_mailbox_that_is_down_fails_the_bounce_job_alone_with_its_reason(owner, settings, caplog):
    settings.BOUNCE_ADDRESS = BOUNCES
    settings.BOUNCE_MAILBOX = f"imaps://bounces:secret@127.0.0.1:{free_port()}/INBOX"
    make_mailing(owner, 1)

    with caplog.at_level(logging.WARNING, logger="core.bounces.reading"):
        output = _runcrons()

    assert "[✘] core.bounces" in output
    assert "[✔] core.dispatch" in output and "[✔] core.statistics" in output
    log = CronJobLog.objects.filter(code="core.bounces").latest("id")
    assert not log.is_success and "cannot connect to the IMAP server 127.0.0.1" in log.message
    assert "Connection refused" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_without_a_bounce_address_the_job_leaves_the_mailbox_unread(sent, tmp_path, settings):
    bounced, _ = sent
    settings.BOUNCE_ADDRESS = ""
    settings.BOUNCE_MAILBOX, box = maildir_with(tmp_path, postfix_bounce(bounced))

    output = _runcrons()

    assert "[✔] core.bounces" in output
    assert "not read" in CronJobLog.objects.filter(code="core.bounces").latest("id").message
    [message] = box.values()
    assert "S" not in message.get_flags()  # read once the address is set again
    assert not Attempt.objects.filter(bounced_at__isnull=False).exists()
