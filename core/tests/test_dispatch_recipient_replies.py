"""Replies for single recipients: 4xx is retried with exponential back-off up
to the limit, then failed; 5xx fails at once; the rest of the batch is sent."""

from datetime import timedelta

import time_machine

from core.models import Attempt, AttemptStatus, Mailing
from core.tests.conftest import NOW, assert_no_recipient_lost, dispatcher_for, make_mailing
from core.tests.smtp_peers import PeerHandler, SmtpPeer


def _attempt(mailing, email):
    return Attempt.objects.get(mailing=mailing, client__email=email)


def test_4xx_is_retried_with_backoff_and_5xx_fails_at_once(owner):
    handler = PeerHandler(
        replies={
            "c1@example.com": "450 4.2.1 Mailbox busy, try later",
            "c3@example.com": "550 5.1.1 No such user here",
        }
    )
    with time_machine.travel(NOW, tick=False) as clock, SmtpPeer(handler) as peer:
        mailing = make_mailing(owner, 5, now=NOW)
        dispatcher_for(peer.port, backoff_seconds=60).run()

        assert sorted(handler.recipients()) == ["c0@example.com", "c2@example.com", "c4@example.com"]
        busy = _attempt(mailing, "c1@example.com")
        assert (busy.status, busy.tries, busy.smtp_code) == (AttemptStatus.PENDING, 1, 450)
        assert busy.server_response == "450 4.2.1 Mailbox busy, try later (at RCPT TO)"
        assert busy.next_try_at == NOW + timedelta(seconds=60)
        unknown = _attempt(mailing, "c3@example.com")
        assert (unknown.status, unknown.tries, unknown.smtp_code) == (AttemptStatus.FAILURE, 1, 550)
        assert "No such user here" in unknown.server_response
        assert Mailing.objects.get(pk=mailing.pk).status == "running"  # a retry is still open

        # Not yet due: nothing happens before the back-off has passed.
        clock.shift(timedelta(seconds=59))
        dispatcher_for(peer.port).run()
        assert _attempt(mailing, "c1@example.com").tries == 1

        # Second try after 60 s, third after another 120 s (doubling), then it fails for good.
        clock.shift(timedelta(seconds=1))
        dispatcher_for(peer.port, backoff_seconds=60).run()
        busy = _attempt(mailing, "c1@example.com")
        assert (busy.status, busy.tries, busy.next_try_at) == (
            AttemptStatus.PENDING,
            2,
            NOW + timedelta(seconds=60 + 120),
        )
        clock.shift(timedelta(seconds=120))
        dispatcher_for(peer.port, backoff_seconds=60, max_tries=3).run()
        busy = _attempt(mailing, "c1@example.com")
        assert (busy.status, busy.tries) == (AttemptStatus.FAILURE, 3)
        assert busy.server_response.startswith("gave up after 3 tries; last: 450 4.2.1 Mailbox busy")

    assert assert_no_recipient_lost(mailing) == {"success": 3, "failure": 2}
    assert Mailing.objects.get(pk=mailing.pk).status == "finished"


def test_a_retry_that_succeeds_ends_as_sent(owner):
    handler = PeerHandler(replies={"c0@example.com": "451 4.7.1 Greylisted, come back later"})
    with time_machine.travel(NOW, tick=False) as clock, SmtpPeer(handler) as peer:
        mailing = make_mailing(owner, 2, now=NOW)
        dispatcher_for(peer.port).run()
        assert _attempt(mailing, "c0@example.com").smtp_code == 451

        handler.replies.clear()
        clock.shift(timedelta(minutes=1))
        dispatcher_for(peer.port).run()

    greylisted = _attempt(mailing, "c0@example.com")
    assert (greylisted.status, greylisted.tries, greylisted.smtp_code) == (AttemptStatus.SUCCESS, 2, 250)
    assert handler.recipients().count("c0@example.com") == 1
    assert assert_no_recipient_lost(mailing) == {"success": 2}
