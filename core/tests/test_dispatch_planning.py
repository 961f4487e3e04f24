"""Planning due runs: one run per occurrence in the owner's wall-clock time,
the schedule moved forward before anything is sent, one catch-up run after
downtime, nothing for disabled mailings or blocked owners. Sent through the
configured Django backend (locmem in tests)."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.core import mail

from core.dispatch.engine import Dispatcher
from core.models import Attempt, AttemptStatus, Mailing
from core.services.mailings import mailing_set_active
from core.services.users import user_set_blocked
from core.tests.conftest import make_mailing, plan_due_runs

# 09:00 in Berlin (summer time, UTC+2) on 1 June 2026.
MORNING = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)


def test_daily_mailing_plans_todays_run_and_moves_to_tomorrow_local_time(owner):
    mailing = make_mailing(owner, 3, start_at=MORNING, periodicity="daily", now=MORNING - timedelta(hours=1))
    with time_machine.travel(MORNING + timedelta(seconds=30), tick=False):
        planned = plan_due_runs(datetime.now(UTC))

    assert [m.pk for m in planned] == [mailing.pk]
    mailing.refresh_from_db()
    assert mailing.last_run_at == MORNING
    assert mailing.next_run_at == MORNING + timedelta(days=1)
    assert mailing.status == "running"
    assert Attempt.objects.filter(mailing=mailing, run_at=MORNING, status=AttemptStatus.PENDING).count() == 3


def test_daily_run_keeps_local_time_across_the_autumn_clock_change(owner):
    saturday = datetime(2026, 10, 24, 7, 0, tzinfo=UTC)  # 09:00 CEST; clocks go back on Sunday the 25th
    mailing = make_mailing(owner, 1, start_at=saturday, periodicity="daily", now=saturday - timedelta(hours=1))
    plan_due_runs(saturday)
    mailing.refresh_from_db()
    assert mailing.next_run_at == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # 09:00 CET


def test_downtime_collapses_missed_runs_into_one_catch_up_run(owner):
    start = MORNING - timedelta(days=5)
    mailing = make_mailing(owner, 2, start_at=start, periodicity="daily", now=start - timedelta(hours=1))

    later = MORNING + timedelta(hours=3)  # five days of cron down, back at noon
    plan_due_runs(later)
    plan_due_runs(later)

    runs = set(Attempt.objects.filter(mailing=mailing).values_list("run_at", flat=True))
    assert runs == {MORNING}  # only the latest missed occurrence, once
    mailing.refresh_from_db()
    assert mailing.next_run_at == MORNING + timedelta(days=1)


def test_once_mailing_finishes_only_after_its_attempts_are_done(owner):
    mailing = make_mailing(owner, 2)
    dispatcher = Dispatcher(time_budget=30)

    assert dispatcher.handle_one() is True  # one step: plan the run
    mailing.refresh_from_db()
    assert (mailing.status, mailing.next_run_at) == ("running", None)

    assert dispatcher.handle_one() is True  # next step: send the batch
    assert dispatcher.handle_one() is False  # nothing left
    mailing.refresh_from_db()
    assert mailing.status == "finished"
    assert sorted(m.to[0] for m in mail.outbox) == ["Client 0 <c0@example.com>", "Client 1 <c1@example.com>"]
    assert mail.outbox[0].subject.startswith("Hello Client")


def test_a_run_is_planned_once_even_when_planned_again(owner):
    mailing = make_mailing(owner, 3)
    Dispatcher().run()
    Dispatcher().run()
    assert Attempt.objects.filter(mailing=mailing).count() == 3
    assert len(mail.outbox) == 3


def test_disabled_mailing_sends_nothing_and_its_pending_attempts_wait(owner, manager):
    mailing = make_mailing(owner, 2)
    plan_due_runs(datetime.now(UTC))
    mailing_set_active(mailing=mailing, active=False, by=manager)

    Dispatcher().run()
    assert mail.outbox == []
    assert Attempt.objects.filter(mailing=mailing, status=AttemptStatus.PENDING).count() == 2

    mailing_set_active(mailing=mailing, active=True, by=owner)
    Dispatcher().run()
    assert len(mail.outbox) == 2
    assert Mailing.objects.get(pk=mailing.pk).status == "finished"


def test_blocked_owner_sends_nothing_until_unblocked(owner, manager):
    mailing = make_mailing(owner, 2)
    user_set_blocked(user=owner, blocked=True, by=manager)

    Dispatcher().run()
    assert mail.outbox == []
    assert not Attempt.objects.filter(mailing=mailing).exists()  # not even planned

    user_set_blocked(user=owner, blocked=False, by=manager)
    Dispatcher().run()
    assert len(mail.outbox) == 2


def test_mailing_whose_window_ended_during_downtime_sends_nothing_stale_and_finishes(owner):
    start = MORNING - timedelta(days=3)
    mailing = make_mailing(
        owner,
        1,
        start_at=start,
        end_at=MORNING - timedelta(days=1),
        periodicity="daily",
        now=start - timedelta(hours=1),
    )
    plan_due_runs(MORNING)

    assert not Attempt.objects.filter(mailing=mailing).exists()
    mailing.refresh_from_db()
    assert (mailing.next_run_at, mailing.status) == (None, "finished")
