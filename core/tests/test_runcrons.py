"""`manage.py runcrons`, the only thing the crontab calls: it plans and sends a
due mailing end to end and keeps the report rollups; the file lock keeps a
second process from running the dispatch job at the same time."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from core.models import Attempt, AttemptStatus, DailyStats, Mailing, RunStats
from core.tests.conftest import make_mailing

# runcrons closes the database connection when it ends, as a process would;
# that needs real transactions (the root conftest puts the role groups back after a flush).
pytestmark = pytest.mark.django_db(transaction=True)

HOLD_LOCK = """
import django, sys, time
django.setup()
from django.conf import settings
from django_cron.helpers import get_class
from core.cron import DispatchJob
lock = get_class(settings.DJANGO_CRON_LOCK_BACKEND)(DispatchJob, True)
print("locked" if lock.lock() else "busy", flush=True)
sys.stdin.read()
"""


def _runcrons() -> str:
    out = StringIO()
    call_command("runcrons", stdout=out)
    return out.getvalue()


def test_runcrons_sends_a_due_mailing_and_fills_the_rollups(owner):
    mailing = make_mailing(owner, 3)

    output = _runcrons()

    assert "[✔] core.dispatch" in output and "[✔] core.statistics" in output
    assert sorted(m.to[0] for m in mail.outbox) == [f"Client {i} <c{i}@example.com>" for i in range(3)]
    assert set(Attempt.objects.values_list("status", flat=True)) == {AttemptStatus.SUCCESS}
    assert Mailing.objects.get(pk=mailing.pk).status == "finished"
    run = RunStats.objects.get(mailing=mailing)
    assert (run.planned, run.sent, run.failed, run.pending, run.stale) == (3, 3, 0, 0, False)
    assert DailyStats.objects.get(mailing=mailing).sent == 3


def test_file_lock_keeps_a_second_process_out_of_the_dispatch_job(owner):
    # The holder takes the lock exactly as runcrons does, through the configured backend.
    make_mailing(owner, 2)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "core.settings"}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK],
        cwd=settings.BASE_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        output = _runcrons()
        assert "core.cron.DispatchJob: lock found. Will try later." in output
        assert mail.outbox == []
    finally:
        holder.communicate("", timeout=10)  # closing stdin ends the holder and frees the lock

    _runcrons()
    assert len(mail.outbox) == 2


def test_a_cron_run_writes_no_naive_datetime_warning(tmp_path):
    """var/cron.log gets what runcrons prints; django-cron's own naive datetime must not fill it."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cron.sqlite3'}", "DEBUG": "1"}
    env.pop("REDIS_URL", None)
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=120)
    for _ in range(2):  # the second run also reads the first one's log
        run = subprocess.run([*manage, "runcrons"], env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        assert "core.dispatch" in run.stdout
        assert "naive datetime" not in run.stderr
