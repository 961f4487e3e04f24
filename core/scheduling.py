"""When a mailing's runs (occurrences) happen. Pure functions, no database.

Occurrences are `start_at` plus whole periods in the owner's wall-clock time:
a daily 09:00 mailing stays at 09:00 local time across DST changes, a monthly
one keeps its day of month and clamps it to the month's end (31st → 30th, 28th
or 29th). A local time that does not exist (the hour skipped in spring) moves
forward by the gap; an ambiguous one (the hour repeated in autumn) takes its
first occurrence. The window is [start_at, end_at).
"""

import calendar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core.models.mailings import Periodicity

_DAYS = {Periodicity.DAILY: 1, Periodicity.WEEKLY: 7}


def schedule_of(mailing) -> tuple[datetime, datetime | None, str, ZoneInfo]:
    """A mailing's schedule as the functions below take it: start, end, periodicity and the
    owner's time zone (its wall clock)."""
    return mailing.start_at, mailing.end_at, mailing.periodicity, mailing.owner.tzinfo


def occurrence(start_at: datetime, periodicity: str, n: int, tz: ZoneInfo) -> datetime:
    """The n-th occurrence (n = 0 is `start_at` itself), as an aware UTC datetime."""
    if n == 0 or periodicity == Periodicity.ONCE:
        return start_at.astimezone(UTC)
    local = start_at.astimezone(tz).replace(tzinfo=None)
    if periodicity in _DAYS:
        shifted = local + timedelta(days=_DAYS[periodicity] * n)
    elif periodicity == Periodicity.MONTHLY:
        months = local.month - 1 + n
        year, month = local.year + months // 12, months % 12 + 1
        shifted = local.replace(year=year, month=month, day=min(local.day, calendar.monthrange(year, month)[1]))
    else:
        raise ValueError(f"unknown periodicity {periodicity!r}")
    return shifted.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _estimate_index(start_at: datetime, periodicity: str, moment: datetime) -> int:
    """A lower-bound guess of how many whole periods lie between start_at and moment."""
    if periodicity in _DAYS:
        return max(0, (moment - start_at).days // _DAYS[periodicity] - 1)
    months = (moment.year - start_at.year) * 12 + moment.month - start_at.month
    return max(0, months - 1)


def last_occurrence_at_or_before(
    start_at: datetime, periodicity: str, tz: ZoneInfo, moment: datetime
) -> datetime | None:
    """The latest occurrence <= moment, or None if the first is still ahead."""
    if start_at > moment:
        return None
    if periodicity == Periodicity.ONCE:
        return occurrence(start_at, periodicity, 0, tz)
    n = _estimate_index(start_at, periodicity, moment)
    while occurrence(start_at, periodicity, n + 1, tz) <= moment:
        n += 1
    while n > 0 and occurrence(start_at, periodicity, n, tz) > moment:
        n -= 1
    return occurrence(start_at, periodicity, n, tz)


def first_occurrence_after(start_at: datetime, periodicity: str, tz: ZoneInfo, moment: datetime) -> datetime | None:
    """The earliest occurrence > moment (None for a `once` mailing already past)."""
    if start_at > moment:
        return occurrence(start_at, periodicity, 0, tz)
    if periodicity == Periodicity.ONCE:
        return None
    n = _estimate_index(start_at, periodicity, moment)
    while occurrence(start_at, periodicity, n, tz) <= moment:
        n += 1
    return occurrence(start_at, periodicity, n, tz)


def in_window(moment: datetime | None, end_at: datetime | None) -> datetime | None:
    return moment if moment is not None and (end_at is None or moment < end_at) else None


def due_run(
    start_at: datetime,
    end_at: datetime | None,
    periodicity: str,
    tz: ZoneInfo,
    *,
    last_run_at: datetime | None,
    now: datetime,
) -> datetime | None:
    """The run to perform now, if any: the latest occurrence <= now inside the
    window that has not been run yet. Occurrences missed during downtime
    collapse into this single catch-up run."""
    candidate = in_window(last_occurrence_at_or_before(start_at, periodicity, tz, now), end_at)
    if candidate is None or (last_run_at is not None and candidate <= last_run_at):
        return None
    return candidate


def next_run(
    start_at: datetime,
    end_at: datetime | None,
    periodicity: str,
    tz: ZoneInfo,
    *,
    last_run_at: datetime | None,
    now: datetime,
) -> datetime | None:
    """When the mailing should next be looked at by the planner: a due run if
    there is one (so the next cron tick performs it), else the first occurrence
    after now inside the window, else None (nothing more to send)."""
    return due_run(start_at, end_at, periodicity, tz, last_run_at=last_run_at, now=now) or in_window(
        first_occurrence_after(start_at, periodicity, tz, now), end_at
    )


def next_run_after_edit(
    start_at: datetime,
    end_at: datetime | None,
    periodicity: str,
    tz: ZoneInfo,
    *,
    last_run_at: datetime | None,
    now: datetime,
) -> datetime | None:
    """`next_run` after the schedule was edited: the first occurrence after both
    now and the last run. An edit never makes a missed occurrence due (a run
    that went out at 10:00 is not sent again at 10:30 because the time moved to
    10:15); a mailing that never ran starts as a new one would."""
    if last_run_at is None:
        return next_run(start_at, end_at, periodicity, tz, last_run_at=None, now=now)
    return in_window(first_occurrence_after(start_at, periodicity, tz, max(now, last_run_at)), end_at)


def upcoming(
    start_at: datetime, end_at: datetime | None, periodicity: str, tz: ZoneInfo, *, after: datetime, count: int
) -> list[datetime]:
    """The next `count` occurrences after `after` inside the window (for display)."""
    runs: list[datetime] = []
    moment = after
    while len(runs) < count:
        found = in_window(first_occurrence_after(start_at, periodicity, tz, moment), end_at)
        if found is None:
            break
        runs.append(found)
        moment = found
    return runs
