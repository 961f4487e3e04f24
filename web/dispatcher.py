"""Is the dispatcher alive? Staff and managers see a notice when the dispatch
cron job has not completed successfully for a while (cron not set up, or the
job failing), because then no mailing is sent; and one when the site's own
emails (account emails, core/outbox.py) are stuck or were given up.

django-cron saves a run's log row as a success saying "Job in progress"
before the job starts and rewrites it when the job ends; a run killed with
SIGKILL leaves that row behind for good, so such rows never count as a
finished run."""

from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone
from django_cron.models import CronJobLog

from core import outbox
from core.cron import DispatchJob

DISPATCH_JOB_CODE = DispatchJob.code
# What django-cron writes on a run's row before calling the job (django_cron.core.CronJobManager.run).
IN_PROGRESS = "Job in progress"
STALE_AFTER = timedelta(minutes=5)
CACHE_KEY = "web:dispatcher-last-success"
OUTBOX_CACHE_KEY = "web:outbox-trouble"
CACHE_SECONDS = 30
_NEVER = "never"


def last_success() -> datetime | None:
    """End of the dispatch job's last successful run (cached briefly), None if never."""
    cached = cache.get(CACHE_KEY)
    if cached is None:
        end = (
            CronJobLog.objects.filter(code=DISPATCH_JOB_CODE, is_success=True)
            .exclude(message__startswith=IN_PROGRESS)
            .order_by("-end_time")
            .values_list("end_time", flat=True)
            .first()
        )
        cached = end or _NEVER
        cache.set(CACHE_KEY, cached, CACHE_SECONDS)
    return None if cached == _NEVER else cached


def is_stalled(now: datetime | None = None) -> bool:
    last = last_success()
    return last is None or (now or timezone.now()) - last > STALE_AFTER


def watches_dispatcher(user) -> bool:
    return user.is_authenticated and (user.is_staff or user.is_superuser or user.has_perm("core.view_all_mailings"))


def outbox_trouble() -> outbox.Trouble | None:
    """Stuck or given-up outbox emails (cached briefly), None when all is well."""
    cached = cache.get(OUTBOX_CACHE_KEY)
    if cached is None:
        found = outbox.trouble()
        cached = (found.stuck, found.failed, found.reason) if found else _NEVER
        cache.set(OUTBOX_CACHE_KEY, cached, CACHE_SECONDS)
    return None if cached == _NEVER else outbox.Trouble(*cached)


def has_notice() -> bool:
    """Whether a watcher sees a notice now (pages showing one are not cached)."""
    return is_stalled() or outbox_trouble() is not None
