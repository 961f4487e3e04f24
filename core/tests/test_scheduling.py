"""Occurrences stay at the owner's wall-clock time across DST, month ends and
leap years; the window bounds them; downtime collapses into one catch-up run."""

import itertools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.scheduling import (
    due_run,
    first_occurrence_after,
    last_occurrence_at_or_before,
    next_run,
    occurrence,
    upcoming,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def local(tz, *args):
    return datetime(*args, tzinfo=tz)


def wall(moment, tz):
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("tz", "start", "expected"),
    [
        # Berlin springs forward on 2026-03-29 and falls back on 2026-10-25.
        (BERLIN, (2026, 3, 27, 9, 0), ["2026-03-27 09:00", "2026-03-28 09:00", "2026-03-29 09:00", "2026-03-30 09:00"]),
        (
            BERLIN,
            (2026, 10, 23, 9, 0),
            ["2026-10-23 09:00", "2026-10-24 09:00", "2026-10-25 09:00", "2026-10-26 09:00"],
        ),
        # New York springs forward on 2026-03-08 and falls back on 2026-11-01.
        (
            NEW_YORK,
            (2026, 3, 6, 9, 0),
            ["2026-03-06 09:00", "2026-03-07 09:00", "2026-03-08 09:00", "2026-03-09 09:00"],
        ),
        (
            NEW_YORK,
            (2026, 10, 30, 9, 0),
            ["2026-10-30 09:00", "2026-10-31 09:00", "2026-11-01 09:00", "2026-11-02 09:00"],
        ),
    ],
)
def test_daily_keeps_wall_clock_time_across_dst(tz, start, expected):
    start_at = local(tz, *start)
    runs = [occurrence(start_at, "daily", n, tz) for n in range(4)]
    assert [wall(r, tz) for r in runs] == expected
    # ...which means the UTC gap between two runs is 23 or 25 hours on the change day.
    gaps = {(b - a).total_seconds() / 3600 for a, b in itertools.pairwise(runs)}
    assert gaps == {24, 23} or gaps == {24, 25}


def test_weekly_keeps_wall_clock_time_across_dst():
    start_at = local(NEW_YORK, 2026, 2, 24, 18, 30)
    runs = [wall(occurrence(start_at, "weekly", n, NEW_YORK), NEW_YORK) for n in range(3)]
    assert runs == ["2026-02-24 18:30", "2026-03-03 18:30", "2026-03-10 18:30"]


def test_a_time_skipped_by_dst_moves_forward_and_a_repeated_one_takes_the_first():
    start_at = local(BERLIN, 2026, 3, 28, 2, 30)
    skipped = occurrence(start_at, "daily", 1, BERLIN)  # 02:30 does not exist on 2026-03-29
    assert wall(skipped, BERLIN) == "2026-03-29 03:30"
    assert wall(occurrence(start_at, "daily", 2, BERLIN), BERLIN) == "2026-03-30 02:30"
    autumn = local(BERLIN, 2026, 10, 24, 2, 30)
    repeated = occurrence(autumn, "daily", 1, BERLIN)  # 02:30 happens twice on 2026-10-25
    assert repeated == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_monthly_keeps_the_day_and_clamps_to_month_end():
    start_at = local(BERLIN, 2027, 1, 31, 10, 0)
    days = [occurrence(start_at, "monthly", n, BERLIN).astimezone(BERLIN) for n in range(13)]
    assert [d.strftime("%m-%d %H:%M") for d in days] == [
        "01-31 10:00", "02-28 10:00", "03-31 10:00", "04-30 10:00", "05-31 10:00", "06-30 10:00",
        "07-31 10:00", "08-31 10:00", "09-30 10:00", "10-31 10:00", "11-30 10:00", "12-31 10:00",
        "01-31 10:00",
    ]  # fmt: skip


def test_monthly_in_a_leap_year_and_from_the_29th():
    start_at = local(NEW_YORK, 2028, 1, 29, 8, 0)
    assert wall(occurrence(start_at, "monthly", 1, NEW_YORK), NEW_YORK) == "2028-02-29 08:00"
    assert wall(occurrence(start_at, "monthly", 13, NEW_YORK), NEW_YORK) == "2029-02-28 08:00"
    assert wall(occurrence(start_at, "monthly", 14, NEW_YORK), NEW_YORK) == "2029-03-29 08:00"


def test_once_has_a_single_occurrence():
    start_at = local(BERLIN, 2026, 5, 1, 12, 0)
    assert first_occurrence_after(start_at, "once", BERLIN, start_at) is None
    assert last_occurrence_at_or_before(start_at, "once", BERLIN, local(BERLIN, 2027, 1, 1)) == start_at


@pytest.mark.parametrize("periodicity", ["daily", "weekly", "monthly"])
def test_last_and_first_occurrence_bracket_any_moment(periodicity):
    start_at = local(BERLIN, 2025, 1, 31, 9, 0)
    for moment in [local(BERLIN, 2026, m, d, h) for m in (2, 3, 10, 12) for d in (1, 27, 28) for h in (0, 9, 23)]:
        before = last_occurrence_at_or_before(start_at, periodicity, BERLIN, moment)
        after = first_occurrence_after(start_at, periodicity, BERLIN, moment)
        assert before <= moment < after
        n = next(i for i in range(800) if occurrence(start_at, periodicity, i, BERLIN) == before)
        assert occurrence(start_at, periodicity, n + 1, BERLIN) == after


def test_window_end_is_exclusive():
    start_at = local(BERLIN, 2026, 6, 1, 9, 0)
    end_at = local(BERLIN, 2026, 6, 3, 9, 0)
    runs = upcoming(start_at, end_at, "daily", BERLIN, after=local(BERLIN, 2026, 5, 1), count=10)
    assert [wall(r, BERLIN) for r in runs] == ["2026-06-01 09:00", "2026-06-02 09:00"]
    assert next_run(start_at, end_at, "daily", BERLIN, last_run_at=runs[-1], now=local(BERLIN, 2026, 6, 2, 10)) is None


def test_future_start_waits_for_its_time():
    start_at = local(BERLIN, 2026, 6, 1, 9, 0)
    now = local(BERLIN, 2026, 5, 31, 9, 0)
    assert due_run(start_at, None, "daily", BERLIN, last_run_at=None, now=now) is None
    assert next_run(start_at, None, "daily", BERLIN, last_run_at=None, now=now) == start_at


def test_window_containing_now_is_due_at_once():
    start_at = local(BERLIN, 2026, 6, 1, 9, 0)
    now = local(BERLIN, 2026, 6, 1, 9, 20)
    assert due_run(start_at, None, "once", BERLIN, last_run_at=None, now=now) == start_at
    assert next_run(start_at, None, "once", BERLIN, last_run_at=None, now=now) == start_at
    assert due_run(start_at, None, "once", BERLIN, last_run_at=start_at, now=now) is None
    assert next_run(start_at, None, "once", BERLIN, last_run_at=start_at, now=now) is None


def test_downtime_collapses_into_one_catch_up_run():
    start_at = local(NEW_YORK, 2026, 3, 1, 9, 0)
    last = local(NEW_YORK, 2026, 3, 2, 9, 0)
    now = local(NEW_YORK, 2026, 3, 9, 14, 0)  # a week of missed daily runs, across DST
    catch_up = due_run(start_at, None, "daily", NEW_YORK, last_run_at=last, now=now)
    assert wall(catch_up, NEW_YORK) == "2026-03-09 09:00"
    after = next_run(start_at, None, "daily", NEW_YORK, last_run_at=catch_up, now=now)
    assert wall(after, NEW_YORK) == "2026-03-10 09:00"


def test_mailing_past_its_end_has_nothing_to_do():
    start_at = local(BERLIN, 2026, 1, 1, 9, 0)
    end_at = local(BERLIN, 2026, 1, 5, 0, 0)
    now = local(BERLIN, 2026, 2, 1)
    assert due_run(start_at, end_at, "daily", BERLIN, last_run_at=None, now=now) is None
    assert next_run(start_at, end_at, "daily", BERLIN, last_run_at=None, now=now) is None
