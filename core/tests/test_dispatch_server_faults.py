"""A misbehaving or dead mail server: the dispatcher never crashes, no
recipient is lost, transient trouble is retried, and a server-wide fault stops
the run with the attempts left pending and the reason visible."""

import time

from core.models import Attempt, AttemptStatus, Mailing
from core.tests.conftest import assert_no_recipient_lost, dispatcher_for, make_mailing
from core.tests.smtp_peers import PeerHandler, ScriptedPeer, SmtpPeer, free_port


def _by_email(mailing):
    return {a.client.email: a for a in Attempt.objects.filter(mailing=mailing).select_related("client")}


def test_421_after_n_messages_retries_that_message_and_goes_on_over_a_new_connection(owner):
    handler = PeerHandler(close_after=3)
    with SmtpPeer(handler) as peer:
        mailing = make_mailing(owner, 8)
        dispatcher = dispatcher_for(peer.port)
        dispatcher.run()

    assert dispatcher.fault is None
    attempts = _by_email(mailing)
    throttled = [a for a in attempts.values() if a.status == AttemptStatus.PENDING]
    # The 4th message on each connection meets the 421: c3 on the first, c7 on the second.
    assert sorted(a.client.email for a in throttled) == ["c3@example.com", "c7@example.com"]
    assert all(a.smtp_code == 421 and "Too many messages" in a.server_response and a.tries == 1 for a in throttled)
    assert len(handler.received) == 6
    assert handler.connections == 2
    assert assert_no_recipient_lost(mailing) == {"success": 6, "pending": 2}


def test_server_that_hangs_past_the_read_timeout_stops_the_run_and_loses_nobody(owner):
    handler = PeerHandler(hang_seconds=20)
    with SmtpPeer(handler) as peer:
        mailing = make_mailing(owner, 5)
        dispatcher = dispatcher_for(peer.port, read_timeout=0.5, server_fault_after=3)
        started = time.monotonic()
        dispatcher.run()
        elapsed = time.monotonic() - started

    assert elapsed < 10  # three timeouts of 0.5 s plus reconnects, not five waits of 20 s
    assert dispatcher.fault is not None and "3 connection failures in a row" in dispatcher.fault.reason
    attempts = list(Attempt.objects.filter(mailing=mailing).order_by("id"))
    # The three timeouts made the server fault: a dead server is not the recipients' fault.
    assert all(a.tries == 0 for a in attempts)
    timed_out, untried = attempts[:3], attempts[3:]
    assert all("did not answer in time (at end of data)" in a.server_response for a in timed_out)
    assert all("not counted as a try" in a.server_response for a in timed_out)
    assert all("not sent yet, the mail server failed" in a.server_response for a in untried)
    assert assert_no_recipient_lost(mailing) == {"pending": 5}
    assert Mailing.objects.get(pk=mailing.pk).status == "running"


def test_connection_dropped_in_the_middle_of_data_is_a_transient_failure(owner):
    with ScriptedPeer("drop") as peer:
        mailing = make_mailing(owner, 4)
        dispatcher = dispatcher_for(peer.port, server_fault_after=10)
        dispatcher.run()

    assert peer.dropped == 4
    attempts = Attempt.objects.filter(mailing=mailing)
    assert all(a.status == AttemptStatus.PENDING and a.tries == 1 for a in attempts)
    # Each drop alone is a transient failure of that attempt: a try, retried later.
    assert all("connection to the mail server lost" in a.server_response for a in attempts)
    assert all("(at DATA)" in a.server_response or "(at end of data)" in a.server_response for a in attempts)
    assert assert_no_recipient_lost(mailing) == {"pending": 4}


def test_several_drops_in_a_row_count_as_a_server_fault(owner):
    with ScriptedPeer("drop") as peer:
        mailing = make_mailing(owner, 6)
        dispatcher = dispatcher_for(peer.port, server_fault_after=2)
        dispatcher.run()

    assert peer.dropped == 2
    assert "2 connection failures in a row" in dispatcher.fault.reason
    assert Attempt.objects.filter(mailing=mailing, tries=0, server_response__contains="not sent yet").count() == 4
    assert Attempt.objects.filter(mailing=mailing, tries=0, server_response__contains="not counted").count() == 2
    assert assert_no_recipient_lost(mailing) == {"pending": 6}


def test_garbage_replies_are_retried_not_failed(owner):
    with ScriptedPeer("garbage") as peer:
        mailing = make_mailing(owner, 5)
        dispatcher = dispatcher_for(peer.port, server_fault_after=3)
        dispatcher.run()

    assert dispatcher.fault is not None
    garbled = Attempt.objects.filter(mailing=mailing, server_response__startswith="unreadable reply")
    assert garbled.count() == 3
    assert all(a.tries == 0 and "not counted as a try" in a.server_response for a in garbled)
    assert assert_no_recipient_lost(mailing) == {"pending": 5}


def test_refused_connection_leaves_everything_pending_with_the_reason(owner):
    port = free_port()  # nothing listens there
    mailing = make_mailing(owner, 5)
    dispatcher = dispatcher_for(port)
    dispatcher.run()

    assert dispatcher.fault is not None
    attempts = Attempt.objects.filter(mailing=mailing)
    assert all(a.status == AttemptStatus.PENDING and a.tries == 0 for a in attempts)
    assert all(f"cannot connect to the mail server 127.0.0.1:{port}" in a.server_response for a in attempts)
    assert all("refused" in a.server_response.lower() for a in attempts)
    assert assert_no_recipient_lost(mailing) == {"pending": 5}
    assert Mailing.objects.get(pk=mailing.pk).status == "running"  # never "finished", never "failed"


def test_rejected_login_stops_the_run_with_the_servers_reply(owner):
    with SmtpPeer(password="right") as peer:
        mailing = make_mailing(owner, 3)
        dispatcher = dispatcher_for(peer.port, username="mailer", password="wrong")
        dispatcher.run()
        assert peer.handler.received == []

        accepted = dispatcher_for(peer.port, username="mailer", password="right")
        accepted.run()

    assert dispatcher.fault.code == 535
    assert "refused the login" in dispatcher.fault.reason
    assert accepted.fault is None
    assert assert_no_recipient_lost(mailing) == {"success": 3}
    assert len(peer.handler.received) == 3


def test_rejected_login_leaves_attempts_pending_with_the_code(owner):
    with SmtpPeer(password="right") as peer:
        mailing = make_mailing(owner, 3)
        dispatcher_for(peer.port, username="mailer", password="wrong").run()

    attempts = Attempt.objects.filter(mailing=mailing)
    assert all(a.status == AttemptStatus.PENDING and a.smtp_code == 535 and a.tries == 0 for a in attempts)
    assert all("refused the login" in a.server_response for a in attempts)
    assert assert_no_recipient_lost(mailing) == {"pending": 3}
