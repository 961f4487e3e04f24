"""A database connection lost in the middle of a batch: the dispatcher notices
before it sends more, reconnects and writes the results it holds, and carries
on; no message is sent twice. PostgreSQL: its backend is terminated."""

from collections import Counter

import psycopg
import pytest
from django.db import connection

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
