"""Large runs are planned in short chunked transactions: a planner killed
between two chunks leaves a run the next pass completes (never a half-planned
run taken for a planned one), and the mailing's row is not held while the
attempts are created."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction

from core.dispatch.planning import plan_one
from core.models import Attempt, Mailing, MailingStatus
from core.services import mailings as mailing_services
from core.tests.conftest import make_mailing


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
