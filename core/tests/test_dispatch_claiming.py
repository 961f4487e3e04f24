"""Claiming: a batch is reserved with a lease, never handed out twice while the
lease runs, and handed out again once a killed dispatcher's lease ran out."""

from datetime import UTC, datetime, timedelta

from core.dispatch.claiming import claim_batch, release
from core.dispatch.outcomes import Kind, Outcome
from core.dispatch.sending import MessageCache, send_batch
from core.models import Attempt, AttemptStatus
from core.tests.conftest import fast_config, make_mailing, plan_due_runs

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_claimed_attempts_are_not_claimed_again_until_their_lease_runs_out(owner):
    make_mailing(owner, 5, now=NOW)
    plan_due_runs(NOW)
    lease = NOW + timedelta(minutes=5)

    first = claim_batch(now=NOW, lease_until=lease, size=3)
    second = claim_batch(now=NOW, lease_until=lease, size=3)
    assert len(first) == 3 and len(second) == 2
    assert not {c.id for c in first} & {c.id for c in second}
    assert claim_batch(now=NOW, lease_until=lease, size=3) == []
    assert Attempt.objects.filter(status=AttemptStatus.SENDING, lease_until=lease).count() == 5

    # The dispatcher holding them was killed: after the lease they come back.
    assert claim_batch(now=lease - timedelta(seconds=1), lease_until=lease, size=10) == []
    again = claim_batch(now=lease + timedelta(seconds=1), lease_until=lease + timedelta(minutes=5), size=10)
    assert sorted(c.id for c in again) == sorted(c.id for c in first + second)


def test_claimed_rows_carry_what_sending_needs(owner):
    mailing = make_mailing(owner, 1, now=NOW)
    plan_due_runs(NOW)
    (claimed,) = claim_batch(now=NOW, lease_until=NOW + timedelta(minutes=5), size=10)
    assert (claimed.mailing_id, claimed.email, claimed.full_name, claimed.tries) == (
        mailing.pk,
        "c0@example.com",
        "Client 0",
        0,
    )


def test_attempts_waiting_for_a_retry_are_not_claimed_early(owner):
    mailing = make_mailing(owner, 1, now=NOW)
    plan_due_runs(NOW)
    Attempt.objects.filter(mailing=mailing).update(next_try_at=NOW + timedelta(minutes=1), tries=1)
    assert claim_batch(now=NOW, lease_until=NOW + timedelta(minutes=5), size=10) == []
    assert len(claim_batch(now=NOW + timedelta(minutes=1), lease_until=NOW + timedelta(minutes=6), size=10)) == 1


def test_released_attempts_are_pending_again_with_the_reason(owner):
    make_mailing(owner, 2, now=NOW)
    plan_due_runs(NOW)
    claimed = claim_batch(now=NOW, lease_until=NOW + timedelta(minutes=5), size=10)
    assert release([c.id for c in claimed], claim=claimed[0].claim, now=NOW, reason="server down", code=421) == 2
    assert set(Attempt.objects.values_list("status", "server_response", "smtp_code", "tries")) == {
        ("pending", "server down", 421, 0)
    }


def test_a_batch_whose_mailing_was_deleted_meanwhile_is_dropped_without_a_crash(owner):
    mailing = make_mailing(owner, 2, now=NOW)
    kept = make_mailing(owner, 0, now=NOW)
    kept.clients.add(*mailing.clients.all())
    plan_due_runs(NOW)
    claimed = claim_batch(now=NOW, lease_until=NOW + timedelta(minutes=5), size=10)
    assert len(claimed) == 4
    mailing.delete()

    class Accepting:
        server = "test"

        def send(self, envelope_from, message, ready=None, then=None, then_from=None):
            return Outcome(Kind.SUCCESS, 250, "OK")

    result = send_batch(claimed, transport=Accepting(), messages=MessageCache(), config=fast_config())
    assert result.fault is None
    assert list(Attempt.objects.values_list("mailing_id", "status")) == [(kept.pk, "success")] * 2


class DownAfterConnect:
    """A relay that fails as a whole on the first message (a server fault)."""

    server = "127.0.0.1:25"

    def send(self, envelope_from, message, ready=None, then=None, then_from=None):
        from core.dispatch.outcomes import ServerFault

        raise ServerFault("421 4.3.2 service shutting down", 421)


def test_attempts_given_back_by_a_server_fault_do_not_keep_the_head_of_the_queue(owner, other_user):
    first = make_mailing(owner, 3, now=NOW)
    plan_due_runs(NOW)
    later = NOW + timedelta(minutes=1)
    second = make_mailing(other_user, 3, now=later)
    plan_due_runs(later)
    claimed = claim_batch(now=later, lease_until=later + timedelta(minutes=5), size=3)
    assert {c.mailing_id for c in claimed} == {first.pk}

    result = send_batch(claimed, transport=DownAfterConnect(), messages=MessageCache(), config=fast_config())

    assert result.counts["released"] == 3
    again = claim_batch(now=later + timedelta(minutes=1), lease_until=later + timedelta(minutes=6), size=3)
    assert {c.mailing_id for c in again} == {second.pk}
