"""Large runs are planned in short chunked transactions: a planner killed
between two chunks leaves a run the next pass completes (never a half-planned
run taken for a planned one), and the mailing's row is not held while the
attempts are created."""

import threading
import time
from collections import Counter
from datetime import UTC, datetime

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction

from core.dispatch import planning
from core.dispatch.planning import plan_one
from core.models import Attempt, Mailing, MailingStatus
from core.services import mailings as mailing_services
from core.tests.conftest import dispatcher_for, make_mailing
from core.tests.smtp_peers import SmtpPeer


class Killed(Exception):
    """Stands for the planner's process dying between two chunks."""


@pytest.fixture
def chunks_of_two(monkeypatch):
    """Chunks of two recipients; `calls` runs before each chunk is written."""
    calls = []
    original = mailing_services._plan_chunk

    def chunk(*args, **kwargs):
        for call in calls:
            call(len(chunk.seen))
        chunk.seen.append(args)
        return original(*args, **kwargs)

    chunk.seen = []
    monkeypatch.setattr(mailing_services, "PLAN_CHUNK", 2)
    monkeypatch.setattr(mailing_services, "_plan_chunk", chunk)
    return calls


def test_a_planner_killed_midway_leaves_a_run_the_next_pass_completes(owner, chunks_of_two):
    now = datetime.now(UTC)
    mailing = make_mailing(owner, 5)

    def die_at_second_chunk(done: int) -> None:
        if done == 1:
            raise Killed

    chunks_of_two.append(die_at_second_chunk)
    with pytest.raises(Killed):
        plan_one(now)
    chunks_of_two.clear()

    mailing.refresh_from_db()
    assert mailing.planning_run_at is not None
    assert Attempt.objects.filter(mailing=mailing).count() == 2
    assert plan_one(now).pk == mailing.pk  # the next pass completes it
    mailing.refresh_from_db()
    assert mailing.planning_run_at is None
    assert mailing.status == MailingStatus.RUNNING
    assert Attempt.objects.filter(mailing=mailing, run_at=mailing.last_run_at).count() == 5
    assert Attempt.objects.filter(mailing=mailing).count() == 5
    assert plan_one(now) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_the_mailing_row_is_not_held_while_its_attempts_are_created(owner, chunks_of_two):
    mailing = make_mailing(owner, 5)
    seen = []

    def edit_from_another_connection(done: int) -> None:
        def edit():
            try:
                with transaction.atomic():
                    Mailing.objects.select_for_update(nowait=True).get(pk=mailing.pk)
                seen.append("free")
            except DatabaseError:
                seen.append("locked")
            finally:
                connection.close()

        if done == 1:
            other = threading.Thread(target=edit)
            other.start()
            other.join()

    chunks_of_two.append(edit_from_another_connection)
    plan_one(datetime.now(UTC))

    assert seen == ["free"]
    assert Attempt.objects.filter(mailing=mailing).count() == 5


@pytest.fixture
def chunks_of_three(monkeypatch):
    monkeypatch.setattr(mailing_services, "PLAN_CHUNK", 3)


def _received_once(peer, count: int) -> bool:
    return Counter(peer.handler.recipients()) == {f"c{i}@example.com": 1 for i in range(count)}


def test_a_large_runs_first_batch_goes_out_while_the_rest_is_being_planned(owner, chunks_of_three):
    mailing = make_mailing(owner, 8)
    with SmtpPeer() as peer:
        dispatcher = dispatcher_for(peer.port, batch_size=2)

        assert dispatcher.handle_one() is True  # the first chunk: one batch
        assert Attempt.objects.filter(mailing=mailing).count() == 2
        assert dispatcher.handle_one() is True  # its batch goes out
        assert len(peer.handler.recipients()) == 2
        mailing.refresh_from_db()
        assert mailing.planning_run_at is not None  # the rest of the run is still to plan

        counts = dispatcher.run()

    assert _received_once(peer, 8)
    assert (counts["sent"], dispatcher.planned) == (8, 1)
    mailing.refresh_from_db()
    assert (mailing.planning_run_at, mailing.status) == (None, MailingStatus.FINISHED)


def test_a_budget_spent_midway_through_planning_plans_the_run_to_its_end_and_sends_no_more(owner, chunks_of_three):
    mailing = make_mailing(owner, 8)
    with SmtpPeer() as peer:
        first = dispatcher_for(peer.port, batch_size=2)
        first.handle_one()  # the first chunk
        first.handle_one()  # its batch
        first.deadline = time.monotonic()  # the budget is spent
        first.run()

        assert len(peer.handler.recipients()) == 2
        mailing.refresh_from_db()
        assert (mailing.planning_run_at, mailing.status) == (None, MailingStatus.RUNNING)
        assert Attempt.objects.filter(mailing=mailing).count() == 8

        counts = dispatcher_for(peer.port, batch_size=2).run()  # the next pass sends the rest

    assert _received_once(peer, 8)
    assert counts["sent"] == 6
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.FINISHED


@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_stopped_midway_through_planning_leaves_the_run_for_the_next_pass(owner, chunks_of_three):
    mailing = make_mailing(owner, 8)
    with SmtpPeer() as peer:
        first = dispatcher_for(peer.port, batch_size=2)

        def stop(counts):  # an operator stops `send_mailing` after its first batch, say
            raise KeyboardInterrupt

        first.on_batch = stop
        with pytest.raises(KeyboardInterrupt):
            first.run()

        mailing.refresh_from_db()
        assert mailing.planning_run_at is not None and mailing.status != MailingStatus.FINISHED
        if connection.vendor == "postgresql":  # the planner's lock went with it
            assert _lock_is_free(planning._PLANNING_LOCK, mailing.pk)

        counts = dispatcher_for(peer.port, batch_size=2).run()

    assert _received_once(peer, 8)
    assert counts["sent"] == 6  # the first pass sent its first batch
    mailing.refresh_from_db()
    assert (mailing.planning_run_at, mailing.status) == (None, MailingStatus.FINISHED)


def _from_another_connection(sql: str, *params):
    settings = connection.settings_dict
    dsn = f"host={settings['HOST']} port={settings['PORT']} user={settings['USER']} dbname={settings['NAME']}"
    with psycopg.connect(dsn, autocommit=True) as other:
        return other.execute(sql, params).fetchone()[0]


def _lock_is_free(*key: int) -> bool:
    return _from_another_connection("SELECT pg_try_advisory_lock(%s, %s)", *key)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a PostgreSQL backend")
def test_a_connection_lost_between_two_chunks_costs_no_client_and_no_message_twice(owner, chunks_of_three):
    mailing = make_mailing(owner, 8)
    with SmtpPeer() as peer:
        dispatcher = dispatcher_for(peer.port, batch_size=2)
        dispatcher.handle_one()  # the first chunk
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        _from_another_connection("SELECT pg_terminate_backend(%s)", pid)

        counts = dispatcher.run()

    assert _received_once(peer, 8)
    assert counts["sent"] == 8
    mailing.refresh_from_db()
    assert (mailing.planning_run_at, mailing.status) == (None, MailingStatus.FINISHED)
    assert Attempt.objects.filter(mailing=mailing).count() == 8
