"""A database connection lost in the middle of a batch: the dispatcher notices
before it sends more, reconnects and writes the results it holds, and carries
on; no message is sent twice. A database lost for good costs at most the one
message in flight. PostgreSQL: its backends are terminated."""

from collections import Counter
from datetime import timedelta

import psycopg
import pytest
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from core.models import Attempt, AttemptStatus
from core.tests.conftest import dispatcher_for, make_mailing
from core.tests.smtp_peers import HookedHandler, SmtpPeer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a PostgreSQL backend"),
]


def _terminate(pid: int) -> None:
    settings = connection.settings_dict
    dsn = f"host={settings['HOST']} port={settings['PORT']} user={settings['USER']} dbname={settings['NAME']}"
    with psycopg.connect(dsn, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_backend_terminated_mid_batch_costs_no_message_twice(owner):
    mailing = make_mailing(owner, 30)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (dispatcher_pid,) = cursor.fetchone()
    terminated = []

    def kill_backend(count: int) -> None:
        if count == 10:
            _terminate(dispatcher_pid)
            terminated.append(count)

    with SmtpPeer(HookedHandler(after_message=kill_backend)) as peer:
        counts = dispatcher_for(peer.port).run()

    assert terminated == [10]
    received = Counter(peer.handler.recipients())
    assert received == {f"c{i}@example.com": 1 for i in range(30)}
    assert counts["sent"] == 30
    assert Attempt.objects.filter(mailing=mailing, status=AttemptStatus.SUCCESS).count() == 30


def _admin(sql: str, *params) -> None:
    """Run `sql` from the server's `postgres` database (not the one under test)."""
    settings = connection.settings_dict
    dsn = f"host={settings['HOST']} port={settings['PORT']} user={settings['USER']} dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as other:
        other.execute(sql, params)


def test_a_database_lost_for_good_costs_at_most_the_one_message_in_flight(owner):
    """The database goes away mid-batch and does not come back while the
    dispatcher runs: it stops (after its bounded reconnects) having sent at most
    the one message whose result it could not write; the next run sends the
    rest and that one again, nothing else twice."""
    mailing = make_mailing(owner, 30)
    name = connection.settings_dict["NAME"]
    lost = []

    def lose_the_database(count: int) -> None:
        if count == 10:
            _admin(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
            _admin(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                name,
            )
            lost.append(count)

    try:
        with SmtpPeer(HookedHandler(after_message=lose_the_database)) as peer:
            with pytest.raises((OperationalError, InterfaceError)):
                dispatcher_for(peer.port).run()
            received_while_lost = len(peer.handler.recipients())
            _admin(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
            connection.close()
            # The stopped dispatcher's claims run out; the next pass takes them.
            Attempt.objects.filter(mailing=mailing, status=AttemptStatus.SENDING).update(
                lease_until=timezone.now() - timedelta(seconds=1)
            )
            counts = dispatcher_for(peer.port).run()
    finally:
        _admin(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')

    assert lost == [10]
    assert received_while_lost <= 11
    received = Counter(peer.handler.recipients())
    assert set(received) == {f"c{i}@example.com" for i in range(30)}
    assert sum(received.values()) - 30 <= 1, {email: n for email, n in received.items() if n > 1}
    assert counts["sent"] >= 30 - received_while_lost
    assert Attempt.objects.filter(mailing=mailing, status=AttemptStatus.SUCCESS).count() == 30
