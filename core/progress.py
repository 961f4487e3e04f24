"""Live progress of a mailing's latest run, counted from its attempts (not from
the rollups, which lag by up to a minute): what the progress bar shows while
the dispatcher works through a run."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from core.dispatch.statistics import latest_run_figures
from core.models import Mailing


@dataclass(frozen=True)
class RunProgress:
    run_at: datetime | None
    planned: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    pending: int = 0  # not yet tried, or waiting for a retry, or being sent
    due: bool = False  # a run's time has come and the dispatcher has not planned it yet

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.planned if self.planned else 0.0

    @property
    def running(self) -> bool:
        return self.pending > 0 or self.due


def latest_run_progress(mailing: Mailing, *, now: datetime | None = None) -> RunProgress:
    """Counts of the mailing's most recent run; `run_at` None when it never ran.
    `due` when the next run's time has passed but it is not planned yet (the
    dispatcher's next pass takes it): the run has as good as started."""
    now = now or timezone.now()
    due = bool(mailing.is_active and mailing.next_run_at and mailing.next_run_at <= now)
    figures = latest_run_figures(mailing.pk)
    run_at = figures["run_at"]
    if run_at is None:
        return RunProgress(run_at=None, due=due)
    figures["sent"] += figures["bounced"]  # the progress of sending: a message bounced later went out
    return RunProgress(
        run_at=run_at,
        **{name: figures[name] for name in ("planned", "sent", "failed", "skipped", "pending")},
        due=due,
    )
