"""Fault soak: three dispatcher processes over one 3,000-recipient run while a
driver, at random, kills a dispatcher with SIGKILL, terminates a dispatcher's
database connection, makes the relay drop connections, answer 4xx or stall
past the dispatchers' timeout, and expires leases early. At the end every
attempt is sent, failed with a reason, skipped with a reason or waiting for a
retry with a reason; no recorded success was ever overwritten (a trigger
watches); every message the relay received twice is accounted for by a kill,
a lost connection or a lease expired under its holder; nobody was suppressed.

Bounded: faults for FAULT_SECONDS, everything settled within LIMIT_SECONDS."""

import os
import random
import signal
import time
from collections import Counter

import pytest
from django.db import connection

from core.dispatch.sending import NOTIFIED_LOOK, UNRECORDED_AT_MOST
from core.models import Attempt, AttemptStatus, Client
from core.tests.smtp_peers import FaultyHandler, SmtpPeer
from core.tests.test_dispatch_concurrency import _mailing, _send_mailing

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="several dispatcher processes and their backends need PostgreSQL"
    ),
]

RECIPIENTS = 3000
FAULT_SECONDS = 20
LIMIT_SECONDS = 90
OPTIONS = {
    "DISPATCH_BATCH_SIZE": "100",
    "DISPATCH_LEASE_SECONDS": "6",
    "DISPATCH_CONNECT_TIMEOUT": "1",
    "DISPATCH_READ_TIMEOUT": "1",
    "DISPATCH_BACKOFF_SECONDS": "1",
    "DISPATCH_MAX_TRIES": "6",
    "LOG_LEVEL": "ERROR",
}
# What a live dispatcher may still send of rows whose lease was expired under it: its unwritten
# results and what it sends before its next look (core.dispatch.sending.BatchWatch).
AFTER_EXPIRY = UNRECORDED_AT_MOST + NOTIFIED_LOOK[1]

AUDIT = """
CREATE TABLE soak_overwritten (attempt_id bigint, new_status text, at timestamptz DEFAULT now());
CREATE FUNCTION soak_watch() RETURNS trigger AS $$
BEGIN
    INSERT INTO soak_overwritten (attempt_id, new_status) VALUES (OLD.id, NEW.status);
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER soak_success_kept BEFORE UPDATE ON core_attempt FOR EACH ROW
    WHEN (OLD.status = 'success' AND NEW IS DISTINCT FROM OLD) EXECUTE FUNCTION soak_watch();
"""
DROP_AUDIT = """
DROP TRIGGER IF EXISTS soak_success_kept ON core_attempt;
DROP FUNCTION IF EXISTS soak_watch();
DROP TABLE IF EXISTS soak_overwritten;
"""


@pytest.fixture
def audit():
    with connection.cursor() as cursor:
        cursor.execute(DROP_AUDIT + AUDIT)
    yield
    with connection.cursor() as cursor:
        cursor.execute(DROP_AUDIT)


def _sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else [(cursor.rowcount,)]


def test_three_dispatchers_under_random_faults_lose_nothing_and_send_twice_only_what_faults_explain(owner, audit):
    seed = int(os.environ.get("SOAK_SEED", time.time()))
    rng = random.Random(seed)
    mailing = _mailing(owner, RECIPIENTS)
    handler = FaultyHandler(hang_seconds=0.01, stall_seconds=2)
    events: Counter = Counter()
    started = time.monotonic()
    with SmtpPeer(handler) as peer:

        def start():
            events["dispatcher processes"] += 1
            return _send_mailing(mailing.pk, peer.port, **OPTIONS)

        workers = [start() for _ in range(3)]
        try:
            while time.monotonic() - started < LIMIT_SECONDS:
                faulting = time.monotonic() - started < FAULT_SECONDS
                mailing.refresh_from_db(fields=["planning_run_at", "last_run_at"])
                planned = mailing.last_run_at is not None and mailing.planning_run_at is None
                settled = (
                    planned
                    and not Attempt.objects.filter(
                        mailing=mailing, status__in=(AttemptStatus.PENDING, AttemptStatus.SENDING)
                    ).exists()
                )
                if settled and all(w.poll() is not None for w in workers):
                    break
                for index, worker in enumerate(workers):
                    if worker.poll() is not None and not settled:
                        workers[index] = start()
                if faulting:
                    _inject(rng, workers, handler, events)
                    time.sleep(rng.uniform(0.3, 1.0))
                else:
                    time.sleep(0.5)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                worker.wait()

    elapsed = time.monotonic() - started
    attempts = list(Attempt.objects.filter(mailing=mailing))
    statuses = Counter(a.status for a in attempts)
    received = Counter(handler.recipients())
    twice = sum(n - 1 for n in received.values())
    overwritten = _sql("SELECT count(*) FROM soak_overwritten")[0][0]
    figures = {
        "seed": seed,
        "seconds": round(elapsed, 1),
        **{f"attempts {status}": count for status, count in sorted(statuses.items())},
        "received by the relay": sum(received.values()),
        "recipients reached": len(received),
        "received twice": twice,
        **dict(events),
        **{f"relay {mode}": count for mode, count in handler.made.items()},
        "successes overwritten": overwritten,
    }
    print("\nfault soak:", ", ".join(f"{name}: {value}" for name, value in figures.items()))

    assert elapsed < LIMIT_SECONDS + 15, figures
    assert len(attempts) == RECIPIENTS
    assert statuses[AttemptStatus.SENDING] == 0, figures
    assert not [a for a in attempts if a.status != AttemptStatus.SUCCESS and not a.server_response], figures
    assert overwritten == 0, figures
    assert not Client.objects.filter(owner=owner, suppressed_at__isnull=False).exists()
    assert set(received) >= {a.client.email for a in attempts if a.status == AttemptStatus.SUCCESS}
    allowed = (
        events["SIGKILL"] * UNRECORDED_AT_MOST
        + events["connection terminated"]
        + events["leases expired early"] * AFTER_EXPIRY
    )
    assert twice <= allowed, figures
    assert statuses[AttemptStatus.SUCCESS] >= RECIPIENTS * 0.9, figures


def _inject(rng: random.Random, workers, handler: FaultyHandler, events: Counter) -> None:
    fault = rng.choice(["SIGKILL", "connection terminated", "drop", "4xx", "stall", "leases expired early"])
    if fault == "SIGKILL":
        alive = [w for w in workers if w.poll() is None]
        if alive:
            rng.choice(alive).send_signal(signal.SIGKILL)
            events[fault] += 1
    elif fault == "connection terminated":
        backends = _sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
        if backends:
            _sql("SELECT pg_terminate_backend(%s)", [rng.choice(backends)[0]])
            events[fault] += 1
    elif fault == "leases expired early":
        (expired,) = _sql("UPDATE core_attempt SET lease_until = now() - interval '1 second' WHERE status = 'sending'")[
            0
        ]
        if expired:
            events[fault] += 1
    else:
        handler.inject(fault, rng.randint(2, 8))
