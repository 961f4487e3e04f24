"""Marking runs whose attempts changed, so the statistics job recounts only those."""

from collections.abc import Iterable
from datetime import date, datetime

from core.models import Mailing, RunStats
from core.models.stats import owners_date


def mark_runs_stale(runs: Iterable[tuple[int, datetime]], *, resend: bool = False) -> None:
    """Flag the (mailing id, run_at) runs for recounting, creating their rows if
    needed. A new row's day is fixed now, in its owner's zone; `resend` marks
    new rows as resend runs. An existing row keeps its day and kind."""
    runs = sorted(set(runs))
    if not runs:
        return
    zones = dict(Mailing.objects.filter(pk__in={m for m, _ in runs}).values_list("pk", "owner__time_zone"))
    rows = [
        RunStats(mailing_id=mailing_id, run_at=run_at, day=owners_date(run_at, zones[mailing_id]), is_resend=resend)
        for mailing_id, run_at in runs
        if mailing_id in zones
    ]
    RunStats.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["mailing", "run_at"], update_fields=["stale"]
    )


def run_day(mailing_id: int, run_at: datetime) -> date:
    """The day a run counts on: fixed on its rollup row, or its owner's date now
    for a run without one yet."""
    day = RunStats.objects.filter(mailing_id=mailing_id, run_at=run_at).values_list("day", flat=True).first()
    if day is None:
        day = owners_date(run_at, Mailing.objects.values_list("owner__time_zone", flat=True).get(pk=mailing_id))
    return day
