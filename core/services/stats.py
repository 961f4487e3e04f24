"""Marking runs whose attempts changed, so the statistics job recounts only those,
and saying whose data changed (`core.cache`) when a mailing's attempts do."""

import time
from collections.abc import Iterable
from datetime import date, datetime

from core.cache import owners_changed
from core.models import Mailing, RunStats
from core.models.stats import owners_date


def mark_runs_stale(runs: Iterable[tuple[int, datetime]], *, resend: bool = False) -> None:
    """Flag the (mailing id, run_at) runs for recounting, creating their rows if
    needed. A new row's day is fixed now, in its owner's zone; `resend` marks
    new rows as resend runs. An existing row keeps its day and kind. The
    owners' data changed (their attempts did)."""
    runs = sorted(set(runs))
    if not runs:
        return
    mailings = Mailing.objects.filter(pk__in={m for m, _ in runs}).values_list("pk", "owner__time_zone", "owner_id")
    zones, owners = {}, set()
    for mailing_id, zone, owner_id in mailings:
        zones[mailing_id] = zone
        owners.add(owner_id)
    owners_changed(owners)
    rows = [
        RunStats(mailing_id=mailing_id, run_at=run_at, day=owners_date(run_at, zones[mailing_id]), is_resend=resend)
        for mailing_id, run_at in runs
        if mailing_id in zones
    ]
    RunStats.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["mailing", "run_at"], update_fields=["stale"]
    )


class AttemptsWritten:
    """Tells readers (`core.cache.owners_changed`) that the owners of the
    mailings whose attempts a dispatcher just wrote have new data: at once,
    then at most once every `every` seconds while results keep coming — not
    a cache write per message. The end of a batch tells them in any case (it
    marks the batch's runs stale). A mailing's owner is looked up once."""

    def __init__(self, *, every: float = 1.0):
        self.every = every
        self._waiting: set[int] = set()
        self._owner_of: dict[int, int] = {}
        self._next_at = 0.0

    def __call__(self, mailing_ids: Iterable[int]) -> None:
        self._waiting.update(mailing_ids)
        if not self._waiting or time.monotonic() < self._next_at:
            return
        if unknown := self._waiting - self._owner_of.keys():
            self._owner_of.update(Mailing.objects.filter(pk__in=unknown).values_list("pk", "owner_id"))
        owners_changed({self._owner_of[m] for m in self._waiting if m in self._owner_of})
        self._waiting.clear()
        self._next_at = time.monotonic() + self.every


def run_day(mailing_id: int, run_at: datetime) -> date:
    """The day a run counts on: fixed on its rollup row, or its owner's date now
    for a run without one yet."""
    day = RunStats.objects.filter(mailing_id=mailing_id, run_at=run_at).values_list("day", flat=True).first()
    if day is None:
        day = owners_date(run_at, Mailing.objects.values_list("owner__time_zone", flat=True).get(pk=mailing_id))
    return day
