from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Attempt, Mailing, RunStats
from core.services.mailings import (
    mailing_create,
    mailing_resend_failed,
    mailing_send_now,
    mailing_set_active,
    mailing_update,
    next_change_at,
    next_runs,
    plan_run,
)
from core.tests.factories import ClientFactory, MessageFactory

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def parts(owner):
    return {
        "owner": owner,
        "message": MessageFactory(owner=owner),
        "clients": ClientFactory.create_batch(3, owner=owner),
    }


def test_mailing_whose_window_contains_now_is_due_at_once(parts):
    mailing = mailing_create(**parts, start_at=NOW - timedelta(hours=1), periodicity="daily", now=NOW)
    assert mailing.next_run_at == NOW - timedelta(hours=1)
    assert mailing.status == "created"
    assert mailing.clients.count() == 3


def test_future_mailing_waits_for_its_start(parts):
    start = NOW + timedelta(days=2)
    mailing = mailing_create(**parts, start_at=start, periodicity="weekly", now=NOW)
    assert mailing.next_run_at == start


def test_mailing_entirely_in_the_past_is_finished_at_once(parts):
    mailing = mailing_create(
        **parts, start_at=NOW - timedelta(days=9), end_at=NOW - timedelta(days=2), periodicity="daily", now=NOW
    )
    assert mailing.next_run_at is None
    assert mailing.status == "finished"


def test_foreign_message_or_clients_are_refused_and_nothing_is_saved(parts, other_user):
    with pytest.raises(ValidationError) as caught:
        mailing_create(
            owner=parts["owner"],
            message=MessageFactory(owner=other_user),
            clients=[*parts["clients"], ClientFactory(owner=other_user)],
            start_at=NOW,
            periodicity="once",
            now=NOW,
        )
    assert set(caught.value.message_dict) == {"message", "clients"}
    assert not Mailing.objects.exists()


def test_end_before_start_is_refused(parts):
    with pytest.raises(ValidationError) as caught:
        mailing_create(**parts, start_at=NOW, end_at=NOW - timedelta(hours=1), periodicity="once", now=NOW)
    assert caught.value.message_dict["end_at"] == ["The end must be after the first send."]
    assert not Mailing.objects.exists()


def test_planning_a_run_twice_creates_nothing_new(parts):
    mailing = mailing_create(**parts, start_at=NOW, periodicity="once", now=NOW)
    assert plan_run(mailing=mailing, run_at=NOW) == 3
    assert plan_run(mailing=mailing, run_at=NOW) == 0
    assert Attempt.objects.filter(mailing=mailing, status="pending").count() == 3


def test_send_now_plans_an_extra_run_and_keeps_the_schedule(parts):
    start = NOW + timedelta(days=3)
    mailing = mailing_create(**parts, start_at=start, periodicity="daily", now=NOW)
    run_at = mailing_send_now(mailing=mailing, now=NOW)
    mailing.refresh_from_db()
    assert run_at == NOW
    assert mailing.next_run_at == start
    assert mailing.status == "running"
    assert Attempt.objects.filter(mailing=mailing, run_at=NOW).count() == 3


def test_resend_failed_requeues_only_failures(parts):
    mailing = mailing_create(**parts, start_at=NOW, periodicity="once", now=NOW)
    plan_run(mailing=mailing, run_at=NOW)
    a, b, c = Attempt.objects.filter(mailing=mailing).order_by("id")
    Attempt.objects.filter(pk=a.pk).update(status="failure", tries=3)
    Attempt.objects.filter(pk=b.pk).update(status="success", tries=1)
    Attempt.objects.filter(pk=c.pk).update(status="failure", tries=3)
    resend = mailing_resend_failed(mailing=mailing, now=NOW)
    assert (resend.requeued, resend.run_at) == (2, NOW + timedelta(seconds=1))  # NOW's run is taken
    assert sorted(Attempt.objects.filter(mailing=mailing).values_list("run_at", "status")) == [
        (NOW, "failure"),
        (NOW, "failure"),
        (NOW, "success"),
        (resend.run_at, "pending"),
        (resend.run_at, "pending"),
    ]


def test_finished_is_never_shown_while_attempts_are_open(parts):
    mailing = mailing_create(**parts, start_at=NOW, periodicity="once", now=NOW)
    plan_run(mailing=mailing, run_at=NOW)
    Mailing.objects.filter(pk=mailing.pk).update(next_run_at=None, last_run_at=NOW)
    mailing.refresh_from_db()
    mailing = mailing_update(mailing=mailing, now=NOW + timedelta(minutes=1))
    assert mailing.status == "running"
    Attempt.objects.filter(mailing=mailing).update(status="success")
    mailing = mailing_update(mailing=mailing, now=NOW + timedelta(minutes=2))
    assert mailing.status == "finished"


def test_changing_the_schedule_replans_from_now(parts):
    mailing = mailing_create(**parts, start_at=NOW + timedelta(days=1), periodicity="once", now=NOW)
    later = NOW + timedelta(days=5)
    mailing = mailing_update(mailing=mailing, start_at=later, periodicity="monthly", now=NOW)
    assert mailing.next_run_at == later


def test_owner_and_manager_toggle_but_other_users_cannot(parts, other_user, manager):
    mailing = mailing_create(**parts, start_at=NOW + timedelta(days=1), periodicity="daily", now=NOW)
    assert not mailing_set_active(mailing=mailing, active=False, by=manager, now=NOW).is_active
    with pytest.raises(PermissionDenied):
        mailing_set_active(mailing=mailing, active=True, by=other_user, now=NOW)
    assert not Mailing.objects.get(pk=mailing.pk).is_active
    assert mailing_set_active(mailing=mailing, active=True, by=parts["owner"], now=NOW).is_active


def test_next_runs_follow_the_owners_wall_clock_and_stop_while_disabled(parts):
    parts["owner"].time_zone = "Europe/Berlin"
    parts["owner"].save()
    start = datetime(2026, 10, 20, 7, 0, tzinfo=UTC)  # 09:00 in Berlin, summer time
    mailing = mailing_create(**parts, start_at=start, periodicity="weekly", now=NOW)
    runs = next_runs(mailing, count=3, now=NOW)
    # 09:00 Berlin each week: 07:00 UTC before the clocks go back on 25 October, 08:00 after
    assert runs == [start, datetime(2026, 10, 27, 8, 0, tzinfo=UTC), datetime(2026, 11, 3, 8, 0, tzinfo=UTC)]
    mailing.is_active = False
    assert next_runs(mailing, count=3, now=NOW) == []


def test_a_mailing_changes_by_time_alone_when_its_next_run_comes(parts):
    start = NOW + timedelta(hours=2)
    mailing = mailing_create(**parts, start_at=start, periodicity="daily", now=NOW)
    assert next_change_at(mailing, now=NOW) == start
    # planned but not yet taken by the dispatcher: it turns "due" at its time
    mailing.next_run_at = NOW + timedelta(minutes=5)
    assert next_change_at(mailing, now=NOW) == NOW + timedelta(minutes=5)
    # nothing comes due and no runs are listed while it is disabled
    mailing.is_active = False
    assert next_change_at(mailing, now=NOW) is None
    # a one-off that has been sent: nothing ahead
    once = mailing_create(**parts, start_at=NOW - timedelta(days=1), periodicity="once", now=NOW - timedelta(days=2))
    once.next_run_at, once.last_run_at = None, NOW - timedelta(days=1)
    assert next_change_at(once, now=NOW) is None


def test_moving_a_daily_mailings_time_after_todays_run_never_sends_it_again_today(parts):
    from core.dispatch.planning import plan_one

    ten = NOW.replace(hour=10)
    mailing = mailing_create(**parts, start_at=ten - timedelta(days=3), periodicity="daily", now=ten)
    assert plan_one(ten).pk == mailing.pk
    mailing.refresh_from_db()
    moved = mailing.start_at.replace(hour=10, minute=15)  # at 10:30, after the 10:00 run
    half_past = ten + timedelta(minutes=30)

    mailing = mailing_update(mailing=mailing, start_at=moved, now=half_past)

    assert mailing.next_run_at == ten.replace(minute=15) + timedelta(days=1)
    assert plan_one(half_past) is None
    assert set(Attempt.objects.filter(mailing=mailing).values_list("run_at", flat=True)) == {ten}


def test_send_now_twice_while_the_extra_run_is_open_answers_the_same_run(parts):
    mailing = mailing_create(**parts, start_at=NOW + timedelta(days=3), periodicity="daily", now=NOW)
    first = mailing_send_now(mailing=mailing, now=NOW)
    again = mailing_send_now(mailing=mailing, now=NOW + timedelta(seconds=1))
    assert again == first
    assert Attempt.objects.filter(mailing=mailing).count() == 3

    Attempt.objects.filter(mailing=mailing).update(status="success")
    later = mailing_send_now(mailing=mailing, now=NOW + timedelta(minutes=5))
    assert later == NOW + timedelta(minutes=5)
    assert Attempt.objects.filter(mailing=mailing, run_at=later).count() == 3


def test_a_resend_never_shares_its_second_with_another_run(parts):
    mailing = mailing_create(**parts, start_at=NOW, periodicity="once", now=NOW)
    plan_run(mailing=mailing, run_at=NOW - timedelta(hours=1))
    Attempt.objects.update(status="failure", tries=1)
    mailing.clients.clear()
    plan_run(mailing=mailing, run_at=NOW)  # nobody to send to: a run with its rollup row only
    resend = mailing_resend_failed(mailing=mailing, now=NOW)
    assert resend.run_at == NOW + timedelta(seconds=1)
    assert RunStats.objects.get(mailing=mailing, run_at=resend.run_at).is_resend
    assert not RunStats.objects.get(mailing=mailing, run_at=NOW).is_resend
