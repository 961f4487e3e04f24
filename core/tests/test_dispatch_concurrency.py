"""Several dispatchers against one PostgreSQL, as several cron hosts would run:
every message is sent exactly once, and a dispatcher killed mid-run loses
nothing — the next run completes the mailing after the lease runs out, and at
most the messages in flight at the kill arrive twice.

These start real `manage.py send_mailing` processes, which need a database
they can see: PostgreSQL (the test database, by name). SQLite means one
dispatching host, so they are skipped there."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from core.dispatch.engine import Dispatcher
from core.dispatch.planning import _PLANNING_LOCK
from core.dispatch.transport import SmtpTransport
from core.models import Attempt, AttemptStatus, Client, Mailing
from core.services.mailings import mailing_create, plan_run
from core.tests.conftest import fast_config
from core.tests.factories import MessageFactory
from core.tests.smtp_peers import SmtpPeer

pytestmark = [
    pytest.mark.postgres,
    # Subprocesses only see committed data; serialized rollback restores the
    # roles created by migrations, which the flush after each test removes.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="several dispatcher processes need PostgreSQL (row locks, a database other processes can open)",
    ),
]


def _mailing(owner, count: int):
    Client.objects.bulk_create(
        [Client(owner=owner, email=f"r{i}@example.com", full_name=f"Recipient {i}") for i in range(count)]
    )
    return mailing_create(
        owner=owner,
        message=MessageFactory(owner=owner),
        clients=Client.objects.filter(owner=owner),
        start_at=datetime.now(UTC) - timedelta(minutes=1),
        periodicity="once",
    )


def _send_mailing(mailing_id: int, port: int, **extra) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "core.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}",
        "EMAIL_BACKEND": "smtp",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "DISPATCH_CONNECT_TIMEOUT": "5",
        "DISPATCH_READ_TIMEOUT": "10",
        **extra,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_mailing", str(mailing_id)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_four_dispatchers_send_every_message_exactly_once(owner):
    mailing = _mailing(owner, 5000)
    with SmtpPeer() as peer:
        workers = [_send_mailing(mailing.pk, peer.port, DISPATCH_BATCH_SIZE="100") for _ in range(4)]
        outputs = [worker.communicate(timeout=110)[0] for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0, 0, 0], outputs
    received = Counter(peer.handler.recipients())
    assert len(received) == 5000
    assert set(received.values()) == {1}
    assert Attempt.objects.filter(mailing=mailing, status=AttemptStatus.SUCCESS).count() == 5000
    sent_by = [int(out.rsplit(": ", 1)[1].split(" sent")[0]) for out in outputs]
    assert sum(sent_by) == 5000
    assert sum(1 for n in sent_by if n) >= 2, f"the work was not shared: {sent_by}"


def test_killed_dispatcher_is_completed_by_the_next_run_with_at_most_the_in_flight_batch_twice(owner):
    batch = 100
    mailing = _mailing(owner, 3000)
    options = {"DISPATCH_BATCH_SIZE": str(batch), "DISPATCH_LEASE_SECONDS": "2"}
    with SmtpPeer() as peer:
        first = _send_mailing(mailing.pk, peer.port, **options)
        deadline = time.monotonic() + 60
        # Kill it halfway through a batch (550, not 500: a multiple of the batch size is the
        # moment between two batches, when nothing may be in flight).
        while len(peer.handler.received) < 550 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
        assert Attempt.objects.filter(mailing=mailing, status=AttemptStatus.SENDING).exists()

        time.sleep(2.5)  # the killed dispatcher's lease runs out
        second = _send_mailing(mailing.pk, peer.port, **options)
        output = second.communicate(timeout=110)[0]

    assert second.returncode == 0, output
    received = Counter(peer.handler.recipients())
    assert len(received) == 3000
    twice = sum(n - 1 for n in received.values())
    assert twice <= batch
    assert Attempt.objects.filter(mailing=mailing, status=AttemptStatus.SUCCESS).count() == 3000


def test_a_dispatcher_waits_for_another_planner_instead_of_stopping_with_nothing_sent(owner):
    """Another host is still creating this run's attempts (in chunks, under the
    planning lock): a dispatcher started meanwhile finds nothing to claim yet,
    and must wait for them rather than end having sent nothing."""
    mailing = _mailing(owner, 50)
    run_at = mailing.next_run_at
    Mailing.objects.filter(pk=mailing.pk).update(planning_run_at=run_at, last_run_at=run_at, next_run_at=None)
    db = connection.settings_dict
    with (
        psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True) as other,
        SmtpPeer() as peer,
    ):
        other.execute("SELECT pg_advisory_lock(%s, %s)", [_PLANNING_LOCK, mailing.pk])
        config = fast_config()
        transport = SmtpTransport(config, host="127.0.0.1", port=peer.port)
        dispatcher = Dispatcher(config=config, transport=transport, mailing_id=mailing.pk)

        def run():
            try:
                dispatcher.run()
            finally:
                connection.close()

        worker = threading.Thread(target=run)
        worker.start()
        time.sleep(1)  # it has looked, found nothing to claim, and is waiting
        plan_run(mailing=mailing, run_at=run_at)  # the other planner's chunks come in
        Mailing.objects.filter(pk=mailing.pk).update(planning_run_at=None)
        other.execute("SELECT pg_advisory_unlock(%s, %s)", [_PLANNING_LOCK, mailing.pk])
        worker.join(30)

    assert sorted(peer.handler.recipients()) == sorted(f"r{i}@example.com" for i in range(50))
    assert Attempt.objects.filter(mailing=mailing, status=AttemptStatus.SUCCESS).count() == 50
