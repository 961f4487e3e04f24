"""Cron jobs run by `manage.py runcrons` (the only thing the system crontab calls).

The jobs are thin doors to the dispatch engine and the outbox, like views to services.
FileLock (settings.DJANGO_CRON_LOCK_BACKEND) keeps two runs of a job on one
host from overlapping; across hosts, row locks in PostgreSQL share the work.
"""

import time
import warnings

from django.conf import settings
from django_cron import CronJobBase, Schedule

from core import outbox
from core.dispatch.engine import Dispatcher
from core.dispatch.statistics import recount_all_stale

# django-cron looks up earlier runs with a naive `datetime.today()`
# (django_cron/core.py), so Django warns on every job of every run and
# var/cron.log fills with it. The code is the library's, not ours; the cron
# process (runcrons imports this module before it runs the jobs) drops just
# that warning.
warnings.filterwarnings(
    "ignore",
    message=r"DateTimeField CronJobLog\.start_time received a naive datetime",
    category=RuntimeWarning,
)


class DispatchJob(CronJobBase):
    """Plan due runs and send pending attempts, within the time budget."""

    code = "core.dispatch"
    # Every runcrons call (cron starts one a minute); the tolerance absorbs start-time jitter.
    schedule = Schedule(run_every_mins=1, run_tolerance_seconds=20)

    def do(self) -> str:
        dispatcher = Dispatcher(time_budget=settings.DISPATCH_TIME_BUDGET)
        dispatcher.run()
        return dispatcher.summary()


class BounceJob(CronJobBase):
    """Read the bounce mailbox: record the bounces it holds on their attempts.
    A mailbox that cannot be read fails the job (the reason is logged and
    kept in the job's log) and the next run tries again."""

    code = "core.bounces"
    schedule = Schedule(run_every_mins=1, run_tolerance_seconds=20)
    time_budget = 20

    def do(self) -> str:
        if not settings.BOUNCE_MAILBOX:
            return "no bounce mailbox configured"
        if not settings.BOUNCE_ADDRESS:  # nothing could be matched: reading would only mark the mail seen
            return "BOUNCE_MAILBOX is not read while BOUNCE_ADDRESS is not set"
        # imported here: the mail parsing costs every cron process ~20 ms at start, before its first message
        from core.bounces.reading import read_bounces

        return read_bounces(deadline=time.monotonic() + self.time_budget).summary()


class StatisticsJob(CronJobBase):
    """Recount the report rollups of runs that changed since the last pass."""

    code = "core.statistics"
    schedule = Schedule(run_every_mins=1, run_tolerance_seconds=20)

    def do(self) -> str:
        runs = recount_all_stale(deadline=time.monotonic() + settings.DISPATCH_TIME_BUDGET)
        return f"recounted {runs} run(s)"


class OutboxJob(CronJobBase):
    """Send the site's own emails that are due: ones no background sender
    took, and retries whose back-off has passed."""

    code = "core.outbox"
    schedule = Schedule(run_every_mins=1, run_tolerance_seconds=20)

    # Runs before the dispatcher (CRON_CLASSES) and briefly: account emails are
    # few, and a long mailing run must not hold back a password reset's retry.
    time_budget = 15

    def do(self) -> str:
        return outbox.send_due(deadline=time.monotonic() + self.time_budget).summary()
