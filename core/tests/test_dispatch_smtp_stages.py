"""Replies judged by the SMTP step they answered: a refusal of our sender is
the server's fault (the run stops, nobody is suppressed, the mail goes out once
the block is lifted); only "no such mailbox" for the recipient is a hard
bounce; a server that loses its replies after the end of data never makes its
recipients give up."""

from datetime import timedelta

import pytest
import time_machine

from core.models import Attempt, AttemptStatus, Client, ClientEvent
from core.tests.conftest import NOW, assert_no_recipient_lost, dispatcher_for, make_mailing
from core.tests.smtp_peers import SmtpPeer, StagedHandler

both_send_paths = pytest.mark.parametrize("pipelining", [False, True], ids=["stepwise", "pipelined"])


def _attempts(mailing):
    return {a.client.email: a for a in Attempt.objects.filter(mailing=mailing).select_related("client")}


def _nobody_suppressed(owner):
    assert not Client.objects.filter(owner=owner, suppressed_at__isnull=False).exists()
    assert not Client.objects.filter(owner=owner, hard_bounces__gt=0).exists()
    assert not ClientEvent.objects.filter(kind="suppressed").exists()


@both_send_paths
def test_sender_refused_at_mail_from_stops_the_run_suppresses_nobody_and_sends_once_lifted(owner, pipelining):
    handler = StagedHandler(sender_reply="550 5.1.8 Access denied, bad outbound sender", pipelining=pipelining)
    with SmtpPeer(handler) as peer:
        mailing = make_mailing(owner, 10)
        blocked = dispatcher_for(peer.port)
        blocked.run()

        assert blocked.fault is not None and "550 5.1.8 Access denied" in blocked.fault.reason
        assert handler.received == [] and len(handler.mail_froms) == 1  # stopped at the first refusal
        attempts = Attempt.objects.filter(mailing=mailing)
        assert all(a.status == AttemptStatus.PENDING and a.tries == 0 for a in attempts)
        assert all("550 5.1.8 Access denied, bad outbound sender (at MAIL FROM)" in a.server_response for a in attempts)
        _nobody_suppressed(owner)

        handler.sender_reply = None  # the relay lifted the block
        lifted = dispatcher_for(peer.port)
        lifted.run()

    assert lifted.fault is None
    assert sorted(handler.recipients()) == sorted(f"c{i}@example.com" for i in range(10))
    assert assert_no_recipient_lost(mailing) == {"success": 10}


@both_send_paths
def test_a_policy_refusal_of_our_sender_at_rcpt_to_is_a_server_fault(owner, pipelining):
    handler = StagedHandler(
        replies={"c1@example.com": "550 5.7.1 Sender address rejected: not authorised by SPF"}, pipelining=pipelining
    )
    with SmtpPeer(handler) as peer:
        mailing = make_mailing(owner, 4)
        dispatcher = dispatcher_for(peer.port)
        dispatcher.run()

    assert dispatcher.fault is not None and "5.7.1" in dispatcher.fault.reason
    assert handler.recipients() == ["c0@example.com"]
    attempts = _attempts(mailing)
    refused = attempts["c1@example.com"]
    assert (refused.status, refused.tries) == (AttemptStatus.PENDING, 0)
    assert "not authorised by SPF (at RCPT TO)" in refused.server_response
    assert assert_no_recipient_lost(mailing) == {"success": 1, "pending": 3}
    _nobody_suppressed(owner)


@both_send_paths
def test_only_no_such_mailbox_for_the_recipient_suppresses_the_address(owner, pipelining):
    handler = StagedHandler(
        replies={
            "c0@example.com": "550 5.1.1 No such user here",
            "c1@example.com": "553 5.1.8 Bad sender's system address",
        },
        data_replies={
            "c2@example.com": "550 5.1.10 Recipient address has null MX",
            "c3@example.com": "550 5.1.7 Bad sender's mailbox address syntax",
        },
        pipelining=pipelining,
    )
    with SmtpPeer(handler) as peer:
        mailing = make_mailing(owner, 5)
        dispatcher = dispatcher_for(peer.port)
        dispatcher.run()

    assert dispatcher.fault is None
    attempts = _attempts(mailing)
    assert attempts["c0@example.com"].server_response == "550 5.1.1 No such user here (at RCPT TO)"
    assert attempts["c2@example.com"].server_response == "550 5.1.10 Recipient address has null MX (at end of data)"
    assert assert_no_recipient_lost(mailing) == {"success": 1, "failure": 4}
    suppressed = Client.objects.filter(owner=owner, suppressed_at__isnull=False).values_list("email", flat=True)
    assert sorted(suppressed) == ["c0@example.com", "c2@example.com"]


@both_send_paths
def test_a_server_that_drops_after_the_end_of_data_never_makes_anyone_give_up(owner, pipelining):
    handler = StagedHandler(drop_after_data=True, pipelining=pipelining)
    with time_machine.travel(NOW, tick=False) as clock, SmtpPeer(handler) as peer:
        mailing = make_mailing(owner, 5, now=NOW)
        for _ in range(4):  # more passes than max_tries
            dispatcher = dispatcher_for(peer.port, max_tries=3, server_fault_after=3)
            dispatcher.run()
            assert dispatcher.fault is not None and "3 connection failures in a row" in dispatcher.fault.reason
            clock.shift(timedelta(hours=1))

        assert len(handler.dropped) == 12 and handler.received == []
        attempts = list(Attempt.objects.filter(mailing=mailing))
        assert all(a.status == AttemptStatus.PENDING and a.tries == 0 for a in attempts)
        lost = [a for a in attempts if a.server_response.startswith("reply lost after end of data")]
        assert lost and all("(the message may have arrived)" in a.server_response for a in lost)
        assert all("not counted as a try" in a.server_response for a in lost)

        handler.drop_after_data = False  # the server is healthy again
        dispatcher_for(peer.port, max_tries=3).run()

    assert len(handler.received) == 5
    assert assert_no_recipient_lost(mailing) == {"success": 5}


def _rendered(email: str):
    from core.dispatch.sending import run_message

    message = run_message(subject="Hi {full_name}", body="Hello", sender_name="Shop", reply_to="", language="en")
    return message.envelope_from, message.render(email=email, full_name="A")


def test_an_envelope_sent_ahead_never_becomes_a_message_when_someone_else_comes_next():
    """With PIPELINING the next recipient's envelope goes out with the current
    message's data. If the next message is for someone else after all (withdrawn
    meanwhile), or nothing follows, the server never gets data for it."""
    from core.dispatch.outcomes import Kind
    from core.dispatch.transport import SmtpTransport
    from core.tests.conftest import fast_config

    with SmtpPeer(StagedHandler(pipelining=True)) as peer:
        transport = SmtpTransport(fast_config(), host="127.0.0.1", port=peer.port)
        sender, first = _rendered("first@example.com")
        assert transport.send(sender, first, then="withdrawn@example.com").kind is Kind.SUCCESS
        _, other = _rendered("other@example.com")
        assert transport.send(sender, other, then="last@example.com").kind is Kind.SUCCESS
        transport.close()  # "last" never came

        assert peer.handler.recipients() == ["first@example.com", "other@example.com"]


def test_the_expected_next_message_uses_the_envelope_sent_ahead(owner):
    """One connection, one MAIL FROM per message: nothing sent twice."""
    mailing = make_mailing(owner, 5)
    with SmtpPeer(StagedHandler(pipelining=True)) as peer:
        dispatcher_for(peer.port).run()

    assert sorted(peer.handler.recipients()) == [f"c{i}@example.com" for i in range(5)]
    assert len(peer.handler.mail_froms) == 5  # every envelope but the first went out ahead, none twice
    assert assert_no_recipient_lost(mailing) == {"success": 5}
