"""A mail server that accepts everything: every recipient gets their own,
correctly encoded message over one reused connection, and every attempt records
the server's reply."""

import email
import email.policy

from core.models import Attempt, AttemptStatus, Mailing
from core.tests.conftest import assert_no_recipient_lost, dispatcher_for, make_mailing
from core.tests.factories import ClientFactory
from core.tests.smtp_peers import ScriptedPeer


def test_accepting_server_receives_one_message_per_recipient_and_replies_are_stored(owner, peer):
    mailing = make_mailing(owner, 5)

    dispatcher = dispatcher_for(peer.port)
    dispatcher.run()

    assert sorted(peer.handler.recipients()) == [f"c{i}@example.com" for i in range(5)]
    assert peer.handler.connections == 1
    attempts = Attempt.objects.filter(mailing=mailing)
    assert {a.status for a in attempts} == {AttemptStatus.SUCCESS}
    assert {a.tries for a in attempts} == {1}
    assert all(a.smtp_code == 250 and a.server_response.startswith("250 2.0.0 Ok: queued as Q") for a in attempts)
    assert all(a.attempted_at is not None and a.lease_until is None for a in attempts)
    assert assert_no_recipient_lost(mailing) == {"success": 5}
    assert Mailing.objects.get(pk=mailing.pk).status == "finished"
    assert dispatcher.summary() == "planned 1 run(s); 5 sent, 0 failed, 0 retrying, 0 skipped"


def test_placeholders_and_non_ascii_subject_names_and_body_arrive_intact(owner, peer):
    mailing = make_mailing(
        owner, 0, subject="Привет, {full_name} — grüße", body="Здравствуйте, {full_name}!\n{email} ✓"
    )
    client = ClientFactory(owner=owner, email="jose@exämple.com", full_name="José Müller")
    mailing.clients.add(client)
    mailing.clients.add(ClientFactory(owner=owner, email="plain@example.com", full_name="Plain Name"))

    dispatcher_for(peer.port).run()

    by_rcpt = {item.rcpt_tos[0]: item.message for item in peer.handler.received}
    message = by_rcpt["jose@xn--exmple-cua.com"]
    assert message["Subject"] == "Привет, José Müller — grüße"
    assert message["To"].addresses[0].display_name == "José Müller"
    body = message.get_content().replace("\r\n", "\n")
    assert body.startswith("Здравствуйте, José Müller!\njose@exämple.com ✓\n\n-- \nYou receive this email as a client")
    assert message["Message-ID"] and message["Date"]
    plain = by_rcpt["plain@example.com"]
    assert plain["Subject"] == "Привет, Plain Name — grüße"
    assert plain["Message-ID"] != message["Message-ID"]


def test_message_that_cannot_be_rendered_fails_only_that_attempt(owner, peer):
    mailing = make_mailing(owner, 2, subject="News for {full_name}")
    broken = ClientFactory(owner=owner, email="broken@example.com", full_name="Evil\r\nBcc: victim@example.com")
    mailing.clients.add(broken)

    dispatcher_for(peer.port).run()

    assert sorted(peer.handler.recipients()) == ["c0@example.com", "c1@example.com"]
    failed = Attempt.objects.get(mailing=mailing, client=broken)
    assert failed.status == AttemptStatus.FAILURE
    assert "could not be built" in failed.server_response and "line break" in failed.server_response
    assert assert_no_recipient_lost(mailing) == {"success": 2, "failure": 1}


def test_unknown_placeholder_fails_every_attempt_with_the_reason_and_sends_nothing(owner, peer):
    mailing = make_mailing(owner, 3, body="Hi {first_name}")

    dispatcher_for(peer.port).run()

    assert peer.handler.received == []
    reasons = set(Attempt.objects.filter(mailing=mailing).values_list("server_response", flat=True))
    assert len(reasons) == 1 and "unknown placeholder {first_name}" in reasons.pop()
    assert assert_no_recipient_lost(mailing) == {"failure": 3}


def test_connection_is_reused_and_renewed_after_the_configured_number_of_messages(owner, peer):
    make_mailing(owner, 7)

    dispatcher_for(peer.port, reconnect_after=3, batch_size=2).run()

    assert len(peer.handler.received) == 7
    assert peer.handler.connections == 3  # 3 + 3 + 1 messages


def test_rate_limit_spaces_the_messages(owner, peer):
    import time

    make_mailing(owner, 4)
    started = time.monotonic()
    dispatcher_for(peer.port, rate_limit=10).run()
    assert len(peer.handler.received) == 4
    assert time.monotonic() - started >= 0.3  # four messages at 10 per second need three gaps of 0.1 s


def test_pipelining_server_gets_whole_messages_with_leading_dots_intact(owner):
    mailing = make_mailing(owner, 3, body=".hidden line\n..two dots\nDear {full_name}\n.")
    with ScriptedPeer("accept") as peer:
        dispatcher_for(peer.port).run()

    assert len(peer.received) == 3
    body = email.message_from_bytes(peer.received[0], policy=email.policy.default).get_content()
    assert body.replace("\r\n", "\n").startswith(".hidden line\n..two dots\nDear Client ")
    assert assert_no_recipient_lost(mailing) == {"success": 3}
    assert set(Attempt.objects.values_list("server_response", flat=True)) == {"250 OK queued"}


def test_pipelining_server_refusing_the_recipient_fails_the_attempt_with_the_rcpt_reply(owner):
    mailing = make_mailing(owner, 2)
    with ScriptedPeer("reject") as peer:
        dispatcher_for(peer.port).run()
        assert peer.connections == 1  # the connection stays usable after a refusal

    assert set(Attempt.objects.values_list("status", "smtp_code", "server_response")) == {
        ("failure", 550, "550 5.1.1 no such mailbox (at RCPT TO)")
    }
    assert assert_no_recipient_lost(mailing) == {"failure": 2}


def test_long_non_ascii_subject_is_folded_into_valid_encoded_words(owner, peer):
    subject = "Большая распродажа для {full_name}: " + "скидки до 50 % на всё — " * 6
    make_mailing(owner, 1, subject=subject)

    dispatcher_for(peer.port).run()

    raw = peer.handler.received[0].data
    head = raw.split(b"\r\n\r\n", 1)[0]
    subject_lines = head.split(b"\r\nSubject: ", 1)[1].split(b"\r\n")
    subject_lines = subject_lines[: next(i for i, line in enumerate(subject_lines) if i and line[:1] != b" ")]
    assert len(subject_lines) > 1
    assert all(len(line) <= 78 for line in [b"Subject: " + subject_lines[0], *subject_lines[1:]])
    assert peer.handler.received[0].message["Subject"] == subject.format(full_name="Client 0")
