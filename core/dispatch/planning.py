"""Turning due mailings into the pending attempts of their run.

A mailing is due when it is enabled, its owner is not blocked and its
`next_run_at` has come. Planning moves `last_run_at`/`next_run_at` forward
and marks the run as being planned (`planning_run_at`) in one short
transaction, before anything is sent: a crash after it cannot plan (or send)
the run twice, and missed occurrences collapse into the one latest run
(`scheduling.due_run`). The attempts are then created in chunks, each its own
transaction (`plan_run`), so a large run holds no lock for long; the mark is
cleared when the last chunk is in. A planner killed midway leaves the mark,
and the next pass completes the run — a half-planned run is never taken for
a planned one (its mailing stays running, never finished).

A dispatcher plans a run a chunk at a time (`planning_steps`), taking turns
with sending: its first chunk is one batch, sent while the next is planned.
"""

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q

from core import scheduling
from core.cache import owners_changed
from core.models import Attempt, Mailing
from core.services.mailings import plan_run_in_chunks, refresh_status

# After a plan this large PostgreSQL's statistics of the attempts table are
# refreshed at once: with stale ones the claim query's plan took a second. While
# a run is planned (and sent), again whenever its attempts have doubled since:
# claims between its chunks took 0.3-0.6 s with the statistics of before it.
ANALYZE_AFTER = 10_000
_PLANNING_LOCK = 0x6D61696C  # the advisory lock class of planners ("mail")


def due_mailings(now: datetime):
    due = Mailing.may_send_q() & Q(next_run_at__lte=now)
    return Mailing.objects.filter(due | Q(planning_run_at__isnull=False))


@contextmanager
def planner_of(mailing_id: int):
    """On PostgreSQL, one planner at a time per mailing across hosts (a session
    advisory lock: a killed planner's ends with its connection). Yields
    whether this one may plan."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_PLANNING_LOCK, mailing_id])
        (locked,) = cursor.fetchone()
    try:
        yield locked
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_PLANNING_LOCK, mailing_id])


def _mark_due_run(now: datetime, mailing_id: int | None, *, busy: set[int]) -> Mailing | None:
    """Lock one due (or half-planned) mailing, move its schedule forward and mark
    the run to plan. On PostgreSQL cron dispatchers skip rows another one holds
    (SKIP LOCKED), so they plan different mailings; a dispatcher asked for one
    mailing waits for the other planner's short transaction instead."""
    due = due_mailings(now).exclude(pk__in=busy)
    if mailing_id is not None:
        due = due.filter(pk=mailing_id)
    with transaction.atomic():
        mailing = (
            due.select_for_update(skip_locked=mailing_id is None, of=("self",))
            .select_related("owner")
            .order_by("next_run_at", "pk")
            .first()
        )
        if mailing is None or mailing.planning_run_at is not None:
            return mailing
        schedule = scheduling.schedule_of(mailing)
        run_at = scheduling.due_run(*schedule, last_run_at=mailing.last_run_at, now=now)
        if run_at is not None:
            mailing.last_run_at = mailing.planning_run_at = run_at
        mailing.next_run_at = scheduling.next_run(*schedule, last_run_at=mailing.last_run_at, now=now)
        mailing.save(update_fields=["last_run_at", "planning_run_at", "next_run_at", "updated_at"])
    return mailing


def plan_one(now: datetime, *, mailing_id: int | None = None) -> Mailing | None:
    """Plan the run of one due mailing (or of `mailing_id` if it is due), or
    complete a run a killed planner left half-planned. Returns the mailing, or
    None when nothing was due (or another planner is on it)."""
    last = deque(planning_steps(now, mailing_id=mailing_id), maxlen=1)
    return last[0] if last else None


def planning_steps(
    now: datetime, *, mailing_id: int | None = None, first_chunk: int | None = None
) -> Iterator[Mailing]:
    """`plan_one` a chunk at a time (`plan_run_in_chunks`), for a dispatcher
    that sends a run's first messages while it plans the rest: yields the
    mailing once each chunk is in, the last time with its run complete
    (`planning_run_at` None again) and its status refreshed. Yields nothing
    when nothing is due. The planner's lock is held from the first chunk to
    the last: closing the steps midway lets it go, and leaves the run marked
    for the next pass to complete."""
    busy: set[int] = set()
    while (mailing := _mark_due_run(now, mailing_id, busy=busy)) is not None:
        run_at = mailing.planning_run_at
        if run_at is None:  # its window closed before a run came due: only the schedule moved
            yield refresh_status(mailing)
            return
        with planner_of(mailing.pk) as mine:
            if not mine:
                busy.add(mailing.pk)
                continue
            created = analyzed = 0
            for chunk, last in plan_run_in_chunks(mailing=mailing, run_at=run_at, first_chunk=first_chunk):
                created += chunk
                if not last:
                    if created >= max(ANALYZE_AFTER, 2 * analyzed):  # the rest is sent with fresh statistics
                        _analyze_attempts()
                        analyzed = created
                    yield mailing
            Mailing.objects.filter(pk=mailing.pk, planning_run_at=run_at).update(planning_run_at=None)
            owners_changed([mailing.owner_id])
            mailing.planning_run_at = None
        if created >= ANALYZE_AFTER:
            _analyze_attempts()
        yield refresh_status(mailing)
        return


def _analyze_attempts() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Attempt._meta.db_table)}")
