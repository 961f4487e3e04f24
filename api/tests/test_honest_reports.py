"""Reports tell what happened, checked against a real SMTP peer and the
statistics job: a resend never erases a failure, a run stays on its owner's
date, every part of a report uses that one day rule whoever reads it, and a
report is current even before the statistics job has run."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import time_machine

from core.dispatch.statistics import recount_all_stale
from core.models import Attempt, ClientEvent, DailyStats, RunStats
from core.services.deliverability import UnsubscribeTarget, client_unsubscribe
from core.services.mailings import mailing_create, mailing_send_now
from core.tests.conftest import dispatcher_for
from core.tests.factories import ClientFactory, MessageFactory
from core.tests.smtp_peers import PeerHandler, SmtpPeer

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
UNKNOWN = "550 5.1.1 no such user"
LATER = "451 4.3.0 try again later"
FIGURES = ("runs", "planned", "reached", "sent", "failed", "pending", "skipped", "unsubscribed", "suppressed")
DAY_FIGURES = ("sent", "failed", "pending", "skipped", "unsubscribed", "suppressed")


def mailing_for(owner, prefix: str, count: int, *, now: datetime):
    """A one-off mailing due at `now`, to `count` clients <prefix><i>@example.com."""
    clients = [ClientFactory(owner=owner, email=f"{prefix}{i}@example.com") for i in range(count)]
    return mailing_create(
        owner=owner,
        message=MessageFactory(owner=owner),
        clients=clients,
        start_at=now + timedelta(days=365),
        periodicity="once",
        now=now,
    )


def test_a_resend_keeps_the_failures_and_leaves_suppressed_clients_out(api, owner):
    owner.time_zone = "UTC"
    owner.save()
    replies = {f"c{i}@example.com": UNKNOWN for i in range(5)} | {f"c{i}@example.com": LATER for i in range(5, 10)}
    handler = PeerHandler(replies=replies)
    client = api.as_(owner)
    with time_machine.travel(T0, tick=False) as clock, SmtpPeer(handler) as peer:
        mailing = mailing_for(owner, "c", 40, now=T0)
        first = mailing_send_now(mailing=mailing)
        dispatcher_for(peer.port, max_tries=2).run()
        clock.shift(timedelta(minutes=5))
        dispatcher_for(peer.port, max_tries=2).run()  # the 451s are given up after their second try
        recount_all_stale()
        before = client.get(f"/api/reports/{mailing.pk}/").json()

        handler.replies.clear()
        handler.received.clear()
        answer = client.post(f"/api/mailings/{mailing.pk}/resend-failed/", {}, format="json").json()
        clock.shift(timedelta(minutes=1))
        dispatcher_for(peer.port).run()
        recount_all_stale()
        after = client.get(f"/api/reports/{mailing.pk}/").json()

    [original] = before["run_list"]
    assert (original["planned"], original["sent"], original["failed"], original["reached"]) == (40, 30, 10, 30)
    assert (before["suppressed"], before["success_rate"]) == (5, 75.0)

    # Only the five 451 clients are sent again; the five dead addresses are left out, and said so.
    assert (answer["requeued"], answer["suppressed"], answer["unsubscribed"]) == (5, 5, 0)
    assert sorted(handler.recipients()) == [f"c{i}@example.com" for i in range(5, 10)]

    # What failed first is still there, with the server's replies and the real number of tries.
    failures = Attempt.objects.filter(mailing=mailing, run_at=first, status="failure")
    assert sorted(failures.values_list("smtp_code", "tries")) == [(451, 2)] * 5 + [(550, 1)] * 5
    assert all("5.1.1" in reply or "4.3.0" in reply for reply in failures.values_list("server_response", flat=True))

    resend, original_after = after["run_list"]
    assert resend["is_resend"] and not original_after["is_resend"]
    assert (resend["planned"], resend["sent"], resend["failed"], resend["skipped"]) == (5, 5, 0, 0)
    # The original run's own outcomes stay; only the clients it reached in the end grow.
    first_outcomes = ("run_at", "day", "planned", "sent", "failed", "pending", "skipped", "last_attempt_at")
    assert [original_after[name] for name in first_outcomes] == [original[name] for name in first_outcomes]
    assert (original_after["reached"], original_after["success_rate"]) == (35, 87.5)
    summary = {name: after[name] for name in (*FIGURES, "resends", "requeued", "success_rate")}
    assert summary == {
        "runs": 1,
        "planned": 40,
        "reached": 35,
        "sent": 35,
        "failed": 10,
        "pending": 0,
        "skipped": 0,
        "unsubscribed": 0,
        "suppressed": 5,
        "resends": 1,
        "requeued": 5,
        "success_rate": 87.5,
    }
    # A second resend finds nobody left to send to: the reached are not sent twice.
    again = api.as_(owner).post(f"/api/mailings/{mailing.pk}/resend-failed/", {}, format="json").json()
    assert (again["requeued"], again["run_at"], again["suppressed"]) == (0, None, 5)


def test_a_time_zone_change_between_recounts_leaves_each_run_on_one_day(api, owner):
    owner.time_zone = "Asia/Tokyo"  # 12:00 UTC is 21:00 on 29 Nov there, 02:00 on 30 Nov in Kiritimati
    owner.save()
    handler = PeerHandler(replies={"c0@example.com": LATER, "c1@example.com": LATER})
    with time_machine.travel(T0, tick=False) as clock, SmtpPeer(handler) as peer:
        mailing = mailing_for(owner, "c", 8, now=T0)
        mailing_send_now(mailing=mailing)
        dispatcher_for(peer.port).run()
        recount_all_stale()
        owner.time_zone = "Pacific/Kiritimati"
        owner.save()
        handler.replies.clear()
        clock.shift(timedelta(minutes=5))
        dispatcher_for(peer.port).run()  # the retries go out: the run is recounted
        recount_all_stale()
        days = api.as_(owner).get("/api/reports/daily/").json()

    assert [(d.day.isoformat(), d.sent) for d in DailyStats.objects.filter(mailing=mailing)] == [("2026-11-29", 8)]
    assert [(day["date"], day["sent"], day["pending"]) for day in days] == [("2026-11-29", 8, 0)]
    assert RunStats.objects.get(mailing=mailing).day == date(2026, 11, 29)


def test_a_hard_bounce_and_its_suppression_count_on_the_runs_day(api, owner):
    owner.time_zone = "UTC"
    owner.save()
    late = datetime(2026, 11, 29, 23, 59, 50, tzinfo=UTC)
    with (
        time_machine.travel(late, tick=False) as clock,
        SmtpPeer(PeerHandler(replies={"c0@example.com": UNKNOWN})) as peer,
    ):
        mailing = mailing_for(owner, "c", 2, now=late)
        mailing_send_now(mailing=mailing)
        clock.shift(timedelta(seconds=30))  # sent, bounced and suppressed after midnight
        dispatcher_for(peer.port).run()
        client = api.as_(owner)
        days = client.get("/api/reports/daily/").json()
        next_day = client.get("/api/reports/", {"period_after": "2026-11-30"}).json()["results"][0]

    event = ClientEvent.objects.get(kind="suppressed")
    assert event.at.date() == date(2026, 11, 30)  # the event keeps its own time
    assert [(d["date"], d["sent"], d["failed"], d["suppressed"]) for d in days] == [("2026-11-29", 1, 1, 1)]
    assert (next_day["failed"], next_day["suppressed"]) == (0, 0)


def test_a_report_before_the_statistics_job_is_current(api, page, owner):
    owner.time_zone = "UTC"
    owner.save()
    replies = {f"c{i}@example.com": UNKNOWN for i in range(5)} | {
        f"c{i}@example.com": "550 5.2.1 mailbox disabled" for i in (5, 6)
    }
    with time_machine.travel(T0, tick=False), SmtpPeer(PeerHandler(replies=replies)) as peer:
        mailing = mailing_for(owner, "c", 40, now=T0)
        mailing_send_now(mailing=mailing)
        dispatcher_for(peer.port).run()
        assert RunStats.objects.get(mailing=mailing).stale  # the statistics job has not run
        [row] = api.as_(owner).get("/api/reports/").json()["results"]
        [day] = api.as_(owner).get("/api/reports/daily/").json()
        listing = page.as_(owner).get("/api/reports/").content.decode()

    assert (row["sent"], row["failed"], row["pending"], row["suppressed"]) == (33, 7, 0, 5)
    assert row["reached"] == 33
    assert (day["sent"], day["failed"], day["suppressed"]) == (33, 7, 5)
    assert "Figures are current" in listing and "its owner's date" in listing
    assert "clients reached (first time or by a resend) out of clients planned" in listing


def totals(rows, names=FIGURES):
    return {name: sum(int(row[name]) for row in rows) for name in names}


def test_every_part_of_a_managers_report_agrees_and_equals_the_owners_sum(api, page, owner, other_user, manager):
    owner.time_zone = "Asia/Tokyo"
    owner.save()
    other_user.time_zone = "America/New_York"
    other_user.save()
    manager.time_zone = "America/Los_Angeles"
    manager.save()
    handler = PeerHandler(replies={"a0@example.com": UNKNOWN, "b1@example.com": "550 5.2.1 mailbox disabled"})
    # Around midnight in one zone or another: each run falls on a different date for each reader.
    moments = [T0 + timedelta(hours=h) for h in (0, 4, 11, 15, 26, 35)]
    with time_machine.travel(moments[0], tick=False) as clock, SmtpPeer(handler) as peer:
        mailings = {
            user: mailing_for(user, prefix, 3, now=moments[0]) for user, prefix in ((owner, "a"), (other_user, "b"))
        }
        for moment in moments:
            clock.move_to(moment)
            for mailing in mailings.values():
                mailing_send_now(mailing=mailing)
            dispatcher_for(peer.port).run()
            if moment == moments[2]:
                b0 = mailings[other_user].clients.get(email="b0@example.com")
                client_unsubscribe(target=UnsubscribeTarget(client=b0, mailing_id=mailings[other_user].pk))
        recount_all_stale()

        periods = [{}, {"period_after": "2026-11-30", "period_before": "2026-11-30"}]
        periods += [{"period_after": "2026-11-29", "period_before": "2026-11-29"}, {"period_after": "2026-11-30"}]
        periods += [{"period_before": "2026-11-29"}, {"period_after": "2026-12-01", "period_before": "2026-12-01"}]
        for period in periods:
            rows = api.as_(manager).get("/api/reports/", period).json()["results"]
            listed = totals(rows)
            days = api.as_(manager).get("/api/reports/daily/", period).json()
            assert totals(days, DAY_FIGURES) == {name: listed[name] for name in DAY_FIGURES}, period
            chart = page.as_(manager).get("/api/reports/daily/", period).content.decode()
            for day in days:
                assert f'"date": "{day["date"]}", "sent": {day["sent"]}, "failed": {day["failed"]}' in chart
            exported = api.as_(manager).get("/api/reports/export/", period)
            assert totals(list(csv.DictReader(io.StringIO(exported.content.decode())))) == listed, period
            details = [api.as_(manager).get(f"/api/reports/{row['mailing']}/", period).json() for row in rows]
            assert totals([day for detail in details for day in detail["days"]], DAY_FIGURES) == totals(
                days, DAY_FIGURES
            )
            assert totals([run for detail in details for run in detail["run_list"]], ("planned", "sent")) == {
                "planned": listed["planned"],
                "sent": listed["sent"],
            }
            own = [api.as_(user).get("/api/reports/", period).json()["results"] for user in (owner, other_user)]
            assert totals(own[0] + own[1]) == listed, period
            own_days = [api.as_(user).get("/api/reports/daily/", period).json() for user in (owner, other_user)]
            assert totals(own_days[0] + own_days[1], DAY_FIGURES) == totals(days, DAY_FIGURES), period

        whole = totals(api.as_(manager).get("/api/reports/").json()["results"])
    assert (whole["runs"], whole["planned"], whole["suppressed"], whole["unsubscribed"]) == (12, 36, 1, 1)
    assert whole["sent"] == Attempt.objects.filter(status="success").count()
