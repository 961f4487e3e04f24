"""The statistics job keeps RunStats and DailyStats right, recounting only the
runs whose attempts changed since its last pass."""

from datetime import UTC, datetime, timedelta

import time_machine

from core.dispatch.statistics import recount_all_stale
from core.models import DailyStats, RunStats
from core.services.mailings import mailing_resend_failed
from core.tests.conftest import dispatcher_for, make_mailing
from core.tests.smtp_peers import PeerHandler, SmtpPeer

# 23:30 UTC on 1 June is already 2 June in Berlin (UTC+2), the owner's zone.
LATE = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)


def test_rollups_count_each_run_and_the_owners_local_day(owner):
    handler = PeerHandler(replies={"c0@example.com": "550 5.1.1 unknown", "c1@example.com": "451 4.3.0 later"})
    with time_machine.travel(LATE, tick=False), SmtpPeer(handler) as peer:
        mailing = make_mailing(owner, 5, now=LATE)
        dispatcher_for(peer.port).run()
        assert recount_all_stale() == 1

    run = RunStats.objects.get(mailing=mailing)
    assert (run.planned, run.sent, run.failed, run.pending, run.skipped) == (5, 3, 1, 1, 0)
    assert run.first_attempt_at == run.last_attempt_at == LATE
    day = DailyStats.objects.get(mailing=mailing)
    assert (day.day.isoformat(), day.sent, day.failed, day.pending) == ("2026-06-02", 3, 1, 1)


def test_only_changed_runs_are_recounted(owner):
    with SmtpPeer(PeerHandler(replies={"c0@example.com": "550 5.2.1 Mailbox disabled"})) as peer:
        mailing = make_mailing(owner, 2)
        dispatcher_for(peer.port).run()
        recount_all_stale()
        assert recount_all_stale() == 0  # nothing changed since

        # A figure that no longer matches the attempts stays as it is while the run is unchanged…
        RunStats.objects.filter(mailing=mailing).update(sent=99)
        recount_all_stale()
        assert RunStats.objects.get(mailing=mailing).sent == 99

        # …and is recounted as soon as something changes what it shows: here a
        # resend run of its failure, which reaches the client it failed.
        peer.handler.replies.clear()
        resend = mailing_resend_failed(mailing=mailing)
        recount_all_stale()
        assert RunStats.objects.get(mailing=mailing, run_at=resend.run_at).pending == 1
        dispatcher_for(peer.port).run()
        recount_all_stale()

    first, again = RunStats.objects.filter(mailing=mailing).order_by("run_at")
    assert (first.sent, first.failed, first.reached, first.stale) == (1, 1, 2, False)
    assert (again.is_resend, again.planned, again.sent, again.failed, again.pending) == (True, 1, 1, 0, 0)
    assert DailyStats.objects.get(mailing=mailing).sent == 2


def test_daily_rollup_adds_up_the_runs_of_one_day(owner):
    start = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock, SmtpPeer() as peer:
        mailing = make_mailing(owner, 2, start_at=start, periodicity="daily", now=start - timedelta(minutes=1))
        dispatcher_for(peer.port).run()
        clock.shift(timedelta(days=1))
        dispatcher_for(peer.port).run()
        recount_all_stale()

    assert RunStats.objects.filter(mailing=mailing).count() == 2
    days = {d.day.isoformat(): d.sent for d in DailyStats.objects.filter(mailing=mailing)}
    assert days == {"2026-06-01": 2, "2026-06-02": 2}
