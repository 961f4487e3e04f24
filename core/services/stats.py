"""Marking runs whose attempts changed, so the statistics job recounts only those."""

from collections.abc import Iterable
from datetime import datetime

from core.models import RunStats


def mark_runs_stale(runs: Iterable[tuple[int, datetime]]) -> None:
    """Flag the (mailing id, run_at) runs for recounting, creating their rows if needed."""
    rows = [RunStats(mailing_id=mailing_id, run_at=run_at, stale=True) for mailing_id, run_at in sorted(set(runs))]
    if rows:
        RunStats.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["mailing", "run_at"], update_fields=["stale"]
        )
