"""Withdrawn mail is not sent: clients removed from a mailing after its run was
planned, a mailing disabled while its batch is going out, a run whose mailing
ended (plus the grace) before it went out."""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from core.dispatch.planning import plan_one
from core.models import Attempt, AttemptStatus
from core.services.mailings import mailing_set_active, mailing_update
from core.tests.conftest import dispatcher_for, make_mailing
from core.tests.smtp_peers import PeerHandler, SmtpPeer


def test_clients_removed_after_planning_are_skipped_with_the_reason_not_mailed(owner, peer):
    mailing = make_mailing(owner, 5)
    plan_one(datetime.now(UTC))
    kept = list(mailing.clients.order_by("email")[:3])

    mailing_update(mailing=mailing, clients=kept)
    dispatcher_for(peer.port).run()

    assert sorted(peer.handler.recipients()) == ["c0@example.com", "c1@example.com", "c2@example.com"]
    removed = Attempt.objects.filter(mailing=mailing).exclude(client__in=kept)
    assert {(a.status, a.server_response) for a in removed} == {
        (AttemptStatus.SKIPPED, "not sent: the client was removed from the mailing")
    }


class DisablingAfter:
    """Sends for real; the owner disables the mailing right after the n-th message."""

    def __init__(self, inner, mailing, after: int):
        self.inner, self.mailing, self.after, self.sent = inner, mailing, after, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def send(self, envelope_from, message, ready=None, then=None, then_from=None):
        outcome = self.inner.send(envelope_from, message, ready=ready, then=then, then_from=then_from)
        self.sent += 1
        if self.sent == self.after:
            # From another connection, as the owner's click on a web host would.
            other = threading.Thread(target=self.disable)
            other.start()
            other.join()
        return outcome

    def disable(self):
        try:
            mailing_set_active(mailing=self.mailing, active=False, by=self.mailing.owner)
        finally:
            connection.close()


@pytest.mark.django_db(transaction=True)  # the owner disables it from another connection
def test_disabling_a_mailing_mid_batch_stops_its_sending_within_one_message(owner):
    mailing = make_mailing(owner, 20)
    with SmtpPeer(PeerHandler(hang_seconds=0.25)) as peer:
        dispatcher = dispatcher_for(peer.port)
        dispatcher.transport = DisablingAfter(dispatcher.transport, mailing, after=3)
        dispatcher.run()

    assert len(peer.handler.received) == 3
    statuses = Counter(Attempt.objects.filter(mailing=mailing).values_list("status", flat=True))
    assert statuses == {AttemptStatus.SUCCESS: 3, AttemptStatus.PENDING: 17}


def test_a_run_is_not_sent_past_its_mailings_end_and_the_grace(owner, peer):
    now = datetime.now(UTC)
    late = make_mailing(owner, 3, start_at=now - timedelta(hours=3), end_at=now - timedelta(minutes=90))
    recent = make_mailing(owner, 0, start_at=now - timedelta(hours=1), end_at=now - timedelta(minutes=30))
    recent.clients.set(late.clients.all())
    while plan_one(now) is not None:
        pass

    dispatcher_for(peer.port).run()  # DISPATCH_END_GRACE_SECONDS: one hour by default

    assert len(peer.handler.received) == 3  # the run that ended 30 minutes ago, inside the hour's grace
    assert {(a.status, a.server_response[:30]) for a in Attempt.objects.filter(mailing=late)} == {
        (AttemptStatus.SKIPPED, "not sent: the mailing ended at")
    }
    assert set(Attempt.objects.filter(mailing=recent).values_list("status", flat=True)) == {AttemptStatus.SUCCESS}
