"""Fixtures for the dispatch tests: a mailing ready to send and SMTP peers."""

from datetime import UTC, datetime, timedelta

import pytest

from core.dispatch.claiming import claim_batch
from core.dispatch.config import DispatchConfig
from core.dispatch.engine import Dispatcher
from core.dispatch.outcomes import Kind, Outcome
from core.dispatch.planning import plan_one
from core.dispatch.sending import MessageCache, send_batch
from core.dispatch.transport import SmtpTransport
from core.models import Attempt, AttemptStatus
from core.services.mailings import mailing_create
from core.tests.factories import ClientFactory, MessageFactory
from core.tests.smtp_peers import SmtpPeer

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def fast_config(**overrides) -> DispatchConfig:
    """Small batches and timeouts short enough for fault cases, long enough for a busy test machine."""
    values = {
        "batch_size": 50,
        "connect_timeout": 2,
        "read_timeout": 2,
        "backoff_seconds": 60,
        "max_tries": 3,
        "server_fault_after": 3,
        "time_budget": 30,
    }
    values.update(overrides)
    return DispatchConfig.from_settings(**values)


def dispatcher_for(port: int, *, username: str = "", password: str = "", **overrides) -> Dispatcher:
    config = fast_config(**overrides)
    transport = SmtpTransport(config, host="127.0.0.1", port=port, username=username, password=password)
    return Dispatcher(config=config, transport=transport, time_budget=config.time_budget)


def make_mailing(
    owner,
    count: int = 5,
    *,
    subject="Hello {full_name}",
    body="Dear {full_name}, this is for {email}.",
    start_at=None,
    periodicity="once",
    now=None,
    **extra,
):
    message = MessageFactory(owner=owner, subject=subject, body=body)
    clients = [ClientFactory(owner=owner, email=f"c{i}@example.com", full_name=f"Client {i}") for i in range(count)]
    return mailing_create(
        owner=owner,
        message=message,
        clients=clients,
        start_at=start_at or (now or datetime.now(UTC)) - timedelta(minutes=1),
        periodicity=periodicity,
        now=now,
        **extra,
    )


class AcceptingRelay:
    """A mail server that accepts every message."""

    server = "test"

    def send(self, envelope_from, message, ready=None, then=None, then_from=None):
        if ready is not None:  # the message's data is about to go out
            ready()
        return Outcome(Kind.SUCCESS, 250, "2.0.0 Ok: queued")


def dispatch_due(*, now: datetime | None = None) -> int:
    """One pass of the dispatcher without its loop: plan the due runs, claim
    their attempts and send them as one batch to a relay that accepts all.
    Returns how many were sent."""
    now = now or datetime.now(UTC)
    while plan_one(now) is not None:
        pass
    claimed = claim_batch(now=now, lease_until=now + timedelta(minutes=5), size=1000)
    return send_batch(claimed, transport=AcceptingRelay(), messages=MessageCache(), config=fast_config()).counts["sent"]


def assert_no_recipient_lost(mailing) -> dict[str, int]:
    """Every planned attempt ended sent, failed, or pending with a reason; none is stuck 'sending'."""
    attempts = list(Attempt.objects.filter(mailing=mailing))
    assert attempts, "nothing was planned"
    assert not [a for a in attempts if a.status == AttemptStatus.SENDING]
    for attempt in attempts:
        if attempt.status != AttemptStatus.SUCCESS:
            assert attempt.server_response, f"{attempt} has no reason"
    counts: dict[str, int] = {}
    for attempt in attempts:
        counts[attempt.status] = counts.get(attempt.status, 0) + 1
    return counts


@pytest.fixture
def peer():
    with SmtpPeer() as running:
        yield running


def plan_due_runs(now) -> list:
    """Plan every due mailing, as a dispatcher's first steps do; returns those planned."""
    planned = []
    while (mailing := plan_one(now)) is not None:
        planned.append(mailing)
    return planned
