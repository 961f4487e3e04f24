"""Turning due mailings into the pending attempts of their run.

A mailing is due when it is enabled, its owner is not blocked and its
`next_run_at` has come. Planning a mailing creates its run's attempts and moves
`last_run_at`/`next_run_at` forward in the same transaction, before anything is
sent: a crash after planning cannot plan (or send) the run twice, and missed
occurrences collapse into the one latest run (`scheduling.due_run`).
"""

from datetime import datetime

from django.db import transaction

from core import scheduling
from core.models import Mailing
from core.services.mailings import plan_run, refresh_status


def due_mailings(now: datetime):
    return Mailing.objects.filter(is_active=True, owner__is_active=True, next_run_at__lte=now)


def plan_one(now: datetime, *, mailing_id: int | None = None) -> Mailing | None:
    """Plan the run of one due mailing (or of `mailing_id` if it is due).
    Returns the planned mailing, or None when nothing was due.

    On PostgreSQL the mailing row is locked: cron dispatchers skip rows another
    one holds (SKIP LOCKED), so they plan different mailings and never the same
    run twice; a dispatcher asked for one mailing waits for the other planner
    instead, then finds the run planned and helps send it."""
    due = due_mailings(now)
    if mailing_id is not None:
        due = due.filter(pk=mailing_id)
    with transaction.atomic():
        mailing = (
            due.select_for_update(skip_locked=mailing_id is None, of=("self",))
            .select_related("owner")
            .order_by("next_run_at", "pk")
            .first()
        )
        if mailing is None:
            return None
        tz = mailing.owner.tzinfo
        schedule = (mailing.start_at, mailing.end_at, mailing.periodicity, tz)
        run_at = scheduling.due_run(*schedule, last_run_at=mailing.last_run_at, now=now)
        if run_at is not None:
            plan_run(mailing=mailing, run_at=run_at)
            mailing.last_run_at = run_at
        mailing.next_run_at = scheduling.next_run(*schedule, last_run_at=mailing.last_run_at, now=now)
        mailing.save(update_fields=["last_run_at", "next_run_at", "updated_at"])
    return refresh_status(mailing)


def plan_due_runs(now: datetime) -> list[Mailing]:
    """Plan every due mailing; returns those planned."""
    planned = []
    while (mailing := plan_one(now)) is not None:
        planned.append(mailing)
    return planned
