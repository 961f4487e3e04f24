"""Keeping the report rollups (RunStats, RunListStats, DailyStats) up to date,
incrementally.

Every change to a run's attempts marks its RunStats row stale (planning,
sending, resending). A pass recounts only the stale runs — one indexed
aggregate per run and one per run by targeted list, plus the scheduled runs a
resend run sends again (their clients reached) — and then the days those runs
fall on, from the RunStats rows of that day. Reports read the rollups and
never aggregate attempts.
"""

import time
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, QuerySet, Subquery, Sum

from core.cache import owners_changed
from core.models import (
    OPEN_ATTEMPT_STATUSES,
    Attempt,
    AttemptSource,
    AttemptStatus,
    DailyStats,
    Mailing,
    RunListStats,
    RunStats,
)

_COUNTS = {
    "planned": Count("id"),
    "sent": Count("id", filter=Q(status=AttemptStatus.SUCCESS, bounced_at__isnull=True)),
    "failed": Count("id", filter=Q(status=AttemptStatus.FAILURE)),
    "pending": Count("id", filter=Q(status__in=OPEN_ATTEMPT_STATUSES)),
    "skipped": Count("id", filter=Q(status=AttemptStatus.SKIPPED)),
    "bounced": Count("id", filter=Q(status=AttemptStatus.SUCCESS, bounced_at__isnull=False)),
    "first_attempt_at": Min("attempted_at"),
    "last_attempt_at": Max("attempted_at"),
}
DAY_FIGURES = ("sent", "failed", "pending", "skipped")


def run_figures(mailing_id: int, run_at) -> dict:
    """Planned, sent, failed, pending, skipped and bounced sends of one run
    (a message accepted and later bounced counts as bounced, not sent), and
    its first and last attempt, counted from the attempts now."""
    return Attempt.objects.filter(mailing_id=mailing_id, run_at=run_at).aggregate(**_COUNTS)


def latest_run_figures(mailing_id: int) -> dict:
    """`run_figures` of the mailing's most recent run, with its time as `run_at` (None, and every
    count 0, when it never ran): one query, the latest run chosen inside it."""
    latest = Attempt.objects.filter(mailing_id=mailing_id).order_by("-run_at").values("run_at")[:1]
    figures = Attempt.objects.filter(mailing_id=mailing_id, run_at=Subquery(latest)).aggregate(
        latest_run_at=Max("run_at"), **_COUNTS
    )
    figures["run_at"] = figures.pop("latest_run_at")
    return figures


def _reached_by_resends(mailing_id: int, run_at) -> int:
    resent = Attempt.objects.filter(mailing_id=mailing_id, resend_of=run_at, status=AttemptStatus.SUCCESS)
    return resent.filter(bounced_at__isnull=True).count()


def _counted(run: RunStats) -> dict:
    """Every stored figure of the run, from the attempts now. The clients a
    scheduled run reached are the ones it sent to plus those a resend of it
    reached (a client is sent again only while not reached, so none counts
    twice); a resend run reached the ones it sent to."""
    figures = run_figures(run.mailing_id, run.run_at)
    figures["reached"] = figures["sent"]
    if not run.is_resend:
        figures["reached"] += _reached_by_resends(run.mailing_id, run.run_at)
    return figures


LIST_FIGURES = ("planned", "sent", "failed", "pending", "skipped", "reached")


def _counted_by_list(run: RunStats) -> list[RunListStats]:
    """The run's figures per list that brought its clients (as the lists were
    when it was planned); a scheduled run's clients reached by a resend of it
    count as reached for their lists too."""
    quote = connection.ops.quote_name
    attempts = quote(Attempt._meta.db_table)
    mailing, run_at, client, status = (quote(name) for name in ("mailing_id", "run_at", "client_id", "status"))

    def counted(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    success = f"a.{status} = %s"
    reached_later = (
        f"EXISTS (SELECT 1 FROM {attempts} r WHERE r.{mailing} = a.{mailing} AND r.{client} = a.{client} "  # noqa: S608
        f"AND r.{quote('resend_of')} = a.{run_at} AND r.{status} = %s)"
    )
    reached = f"{success} OR {reached_later}" if not run.is_resend else success
    open_statuses = ", ".join(["%s"] * len(OPEN_ATTEMPT_STATUSES))
    sql = (
        f"SELECT s.{quote('client_list_id')}, COUNT(*), {counted(success)}, {counted(f'a.{status} = %s')}, "  # noqa: S608
        f"{counted(f'a.{status} IN ({open_statuses})')}, {counted(f'a.{status} = %s')}, {counted(reached)} "
        f"FROM {quote(AttemptSource._meta.db_table)} s JOIN {attempts} a ON a.{mailing} = s.{mailing} "
        f"AND a.{run_at} = s.{run_at} AND a.{client} = s.{client} "
        f"WHERE s.{mailing} = %s AND s.{run_at} = %s GROUP BY s.{quote('client_list_id')}"
    )
    params = [AttemptStatus.SUCCESS, AttemptStatus.FAILURE, *OPEN_ATTEMPT_STATUSES, AttemptStatus.SKIPPED]
    params += [AttemptStatus.SUCCESS] if run.is_resend else [AttemptStatus.SUCCESS, AttemptStatus.SUCCESS]
    params += [run.mailing_id, connection.ops.adapt_datetimefield_value(run.run_at)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(param) for param in params[:-2]] + params[-2:])
        rows = cursor.fetchall()
    return [
        RunListStats(run=run, client_list_id=row[0], **dict(zip(LIST_FIGURES, row[1:], strict=True))) for row in rows
    ]


def fresh_runs(runs: Iterable[RunStats]) -> list[RunStats]:
    """The runs, with the figures of stale ones counted from their attempts now
    (not stored: the job does that). For a mailing's own page, which lists a
    few runs and must not show a run that just went out as all zeros."""
    runs = list(runs)
    for run in runs:
        if run.stale:
            for name, value in _counted(run).items():
                setattr(run, name, value)
    return runs


def recount_stale_runs(*, limit: int = 200, mailings: QuerySet[Mailing] | None = None) -> int:
    """Recount up to `limit` stale runs (of `mailings`, or of all) and the days
    they fall on. Returns how many runs."""
    with transaction.atomic():
        chosen = RunStats.objects.select_for_update(skip_locked=True).filter(stale=True)
        if mailings is not None:
            chosen = chosen.filter(mailing__in=mailings.order_by().values("pk"))
        stale = list(chosen.order_by("id")[:limit])
        # Cleared before counting (and outside the lock, so dispatchers marking
        # runs never wait for us): a change made while we count marks it again.
        RunStats.objects.filter(id__in=[run.id for run in stale]).update(stale=False)
    if not stale:
        return 0
    try:
        _recount(stale)
    except BaseException:
        RunStats.objects.filter(id__in=[run.id for run in stale]).update(stale=True)
        raise
    return len(stale)


def _recount(stale: list[RunStats]) -> None:
    runs = {(run.mailing_id, run.run_at): run for run in stale}
    # A resend run's outcomes change the clients reached by the runs it sends again.
    for run in stale:
        if run.is_resend:
            originals = Attempt.objects.filter(mailing_id=run.mailing_id, run_at=run.run_at, resend_of__isnull=False)
            for run_at in originals.values_list("resend_of", flat=True).distinct():
                runs.setdefault((run.mailing_id, run_at), None)
    missing = [key for key, run in runs.items() if run is None]
    if missing:
        lookup = Q()
        for mailing_id, run_at in missing:
            lookup |= Q(mailing_id=mailing_id, run_at=run_at)
        runs.update({(run.mailing_id, run.run_at): run for run in RunStats.objects.filter(lookup)})
    days = defaultdict(set)
    for run in runs.values():
        if run is None:  # the scheduled run's rollup row was deleted with its mailing
            continue
        RunStats.objects.filter(id=run.id).update(**_counted(run))
        RunListStats.objects.bulk_create(
            _counted_by_list(run),
            update_conflicts=True,
            unique_fields=["run", "client_list"],
            update_fields=list(LIST_FIGURES),
        )
        days[run.mailing_id].add(run.day)
    alive = dict(Mailing.objects.filter(pk__in=days).values_list("pk", "owner_id"))
    for mailing_id in alive:
        _recount_days(mailing_id, days[mailing_id])
    owners_changed(alive.values())


def _recount_days(mailing_id: int, days: set) -> None:
    sums = (
        RunStats.objects.filter(mailing_id=mailing_id, day__in=days)
        .order_by()
        .values("day")
        .annotate(**{name: Sum(name) for name in DAY_FIGURES})
    )
    rows = [DailyStats(mailing_id=mailing_id, **row) for row in sums]
    DailyStats.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["mailing", "day"],
        update_fields=[*DAY_FIGURES, "updated_at"],
    )


def recount_all_stale(*, deadline: float | None = None) -> int:
    """Recount every stale run (until the monotonic `deadline`, if given)."""
    total = 0
    while (deadline is None or time.monotonic() < deadline) and (count := recount_stale_runs()):
        total += count
    return total
