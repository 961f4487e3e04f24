"""Keeping the report rollups (RunStats, DailyStats) up to date, incrementally.

Every change to a run's attempts marks its RunStats row stale (planning,
sending, resending). A pass recounts only the stale runs — one indexed
aggregate per run — and then the days those runs fall on, from the RunStats
rows of that day. Reports read the rollups and never aggregate attempts.
"""

import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum

from core.models import Attempt, AttemptStatus, DailyStats, Mailing, RunStats

_COUNTS = {
    "planned": Count("id"),
    "sent": Count("id", filter=Q(status=AttemptStatus.SUCCESS)),
    "failed": Count("id", filter=Q(status=AttemptStatus.FAILURE)),
    "pending": Count("id", filter=Q(status__in=(AttemptStatus.PENDING, AttemptStatus.SENDING))),
    "skipped": Count("id", filter=Q(status=AttemptStatus.SKIPPED)),
    "first_attempt_at": Min("attempted_at"),
    "last_attempt_at": Max("attempted_at"),
}


def run_figures(mailing_id: int, run_at) -> dict:
    """Planned, sent, failed, pending and skipped sends of one run, and its first
    and last attempt, counted from the attempts now."""
    return Attempt.objects.filter(mailing_id=mailing_id, run_at=run_at).aggregate(**_COUNTS)


def fresh_runs(runs: Iterable[RunStats]) -> list[RunStats]:
    """The runs, with the figures of stale ones counted from their attempts now
    (not stored: the job does that). For a mailing's own page, which lists a
    few runs and must not show a run that just went out as all zeros."""
    runs = list(runs)
    for run in runs:
        if run.stale:
            for name, value in run_figures(run.mailing_id, run.run_at).items():
                setattr(run, name, value)
    return runs


def recount_stale_runs(*, limit: int = 200) -> int:
    """Recount up to `limit` stale runs and the days they fall on. Returns how many runs."""
    with transaction.atomic():
        stale = list(
            RunStats.objects.select_for_update(skip_locked=True)
            .filter(stale=True)
            .order_by("id")
            .values_list("id", "mailing_id", "run_at")[:limit]
        )
        # Cleared before counting (and outside the lock, so dispatchers marking
        # runs never wait for us): a change made while we count marks it again.
        RunStats.objects.filter(id__in=[row[0] for row in stale]).update(stale=False)
    if not stale:
        return 0
    try:
        zones = dict(Mailing.objects.filter(pk__in={row[1] for row in stale}).values_list("pk", "owner__time_zone"))
        days = defaultdict(set)
        for run_id, mailing_id, run_at in stale:
            if mailing_id not in zones:  # deleted meanwhile, with its rollups
                continue
            figures = run_figures(mailing_id, run_at)
            RunStats.objects.filter(id=run_id).update(**figures)
            days[mailing_id].add(run_at.astimezone(ZoneInfo(zones[mailing_id])).date())
        for mailing_id, mailing_days in days.items():
            _recount_days(mailing_id, ZoneInfo(zones[mailing_id]), mailing_days)
    except BaseException:
        RunStats.objects.filter(id__in=[row[0] for row in stale]).update(stale=True)
        raise
    return len(stale)


def _recount_days(mailing_id: int, tz, days: set) -> None:
    rows = []
    for day in sorted(days):
        start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        sums = RunStats.objects.filter(mailing_id=mailing_id, run_at__gte=start, run_at__lt=end).aggregate(
            sent=Sum("sent"), failed=Sum("failed"), pending=Sum("pending"), skipped=Sum("skipped")
        )
        rows.append(DailyStats(mailing_id=mailing_id, day=day, **{k: v or 0 for k, v in sums.items()}))
    DailyStats.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["mailing", "day"],
        update_fields=["sent", "failed", "pending", "skipped", "updated_at"],
    )


def recount_all_stale(*, deadline: float | None = None) -> int:
    """Recount every stale run (until the monotonic `deadline`, if given)."""
    total = 0
    while (deadline is None or time.monotonic() < deadline) and (count := recount_stale_runs()):
        total += count
    return total
