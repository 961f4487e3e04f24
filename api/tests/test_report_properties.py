"""Property: after every statistics pass, every figure of every report — list,
detail (runs and days), per-day series, CSV — for the owners and for a manager,
whatever their time zones and the period asked, equals the count taken
directly from the attempts and the subscription events.

Hypothesis plays random histories against a real SMTP peer: runs with random
replies (sent, dead address, refused, try later), resends of the latest run or
of all, unsubscribes, owners moving to another time zone, hours passing."""

import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.dispatch.statistics import recount_all_stale
from core.models import Attempt, ClientEvent, User
from core.services.deliverability import UnsubscribeTarget, client_unsubscribe
from core.services.mailings import mailing_create, mailing_resend_failed, mailing_send_now
from core.tests.conftest import dispatcher_for
from core.tests.factories import ClientFactory, MessageFactory
from core.tests.smtp_peers import SmtpPeer

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
CLIENTS = 3
UNKNOWN = "550 5.1.1 no such user"
ZONES = ["UTC", "Asia/Tokyo", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/Los_Angeles", "Europe/Berlin"]
REPLIES = [None, None, UNKNOWN, "550 5.2.1 mailbox disabled", "451 4.3.0 try later"]
DAYS = [date(2026, 11, 28) + timedelta(days=n) for n in range(6)]

replies = st.lists(st.sampled_from(REPLIES), min_size=CLIENTS, max_size=CLIENTS)
owner_index = st.integers(0, 1)
steps = st.one_of(
    st.tuples(st.just("run"), owner_index, replies),
    st.tuples(st.just("resend"), owner_index, replies, st.booleans()),
    st.tuples(st.just("unsubscribe"), owner_index, st.integers(0, CLIENTS - 1)),
    st.tuples(st.just("zone"), owner_index, st.sampled_from(ZONES)),
    st.tuples(st.just("wait"), st.integers(1, 20)),
)
periods = st.tuples(st.none() | st.sampled_from(DAYS), st.none() | st.sampled_from(DAYS))


class History:
    """What the test did, and the day each run and unsubscribe belongs to: its
    owner's date at the moment it happened, as the test saw the owner's zone."""

    def __init__(self):
        self.run_days: dict[tuple[int, datetime], date] = {}
        self.resends: set[tuple[int, datetime]] = set()
        self.unsubscribes: list[tuple[int, date]] = []  # (mailing, day)

    def expected(self, mailing, since, until) -> tuple[dict, dict]:
        """(figures, per-day figures) of one mailing in the period, from the attempts."""
        inside = {run for (m, run), day in self.run_days.items() if m == mailing.pk and _within(day, since, until)}
        attempts = list(Attempt.objects.filter(mailing=mailing))
        ours = [a for a in attempts if a.run_at in inside]
        scheduled = [a for a in ours if (mailing.pk, a.run_at) not in self.resends]
        reached = {
            (a.resend_of or a.run_at, a.client_id)
            for a in attempts
            if a.status == "success"
            and (a.resend_of or a.run_at) in inside
            and (mailing.pk, a.resend_of or a.run_at) not in self.resends
        }
        # A dead address is suppressed once, by its first bounce (one batch may
        # carry a retry of an older run and a newer run to the same client).
        first_bounces = {}
        for a in sorted(attempts, key=lambda a: a.run_at):
            if a.status == "failure" and "5.1.1" in a.server_response:
                first_bounces.setdefault(a.client_id, a)
        bounced = [a for a in first_bounces.values() if a.run_at in inside]
        unsubscribed = [day for m, day in self.unsubscribes if m == mailing.pk and _within(day, since, until)]
        figures = {
            "runs": len({a.run_at for a in scheduled}),
            "planned": len(scheduled),
            "reached": len(reached),
            "sent": sum(a.status == "success" for a in ours),
            "failed": sum(a.status == "failure" for a in ours),
            "pending": sum(a.status in ("pending", "sending") for a in ours),
            "skipped": sum(a.status == "skipped" for a in ours),
            "resends": len({run for m, run in self.resends if m == mailing.pk and run in inside}),
            "requeued": len(ours) - len(scheduled),
            "unsubscribed": len(unsubscribed),
            "suppressed": len(bounced),
        }
        figures["success_rate"] = (
            round(100 * figures["reached"] / figures["planned"], 1) if figures["planned"] else None
        )
        days = defaultdict(lambda: defaultdict(int))
        for a in ours:
            day = days[self.run_days[(mailing.pk, a.run_at)]]
            day[{"success": "sent", "failure": "failed", "skipped": "skipped"}.get(a.status, "pending")] += 1
        for a in bounced:
            days[self.run_days[(mailing.pk, a.run_at)]]["suppressed"] += 1
        for day in unsubscribed:
            days[day]["unsubscribed"] += 1
        return figures, days


def _within(day, since, until) -> bool:
    return (since is None or day >= since) and (until is None or day <= until)


DAY_FIGURES = ("sent", "failed", "pending", "skipped", "unsubscribed", "suppressed")


def _days_of(series) -> dict:
    """A day series as {date: figures}, days with nothing at all left out."""
    days = {}
    for row in series:
        figures = {name: int(row[name]) for name in DAY_FIGURES}
        if any(figures.values()):
            days[date.fromisoformat(str(row["date"]))] = figures
    return days


def _merged(*expected_days) -> dict:
    total = defaultdict(lambda: dict.fromkeys(DAY_FIGURES, 0))
    for days in expected_days:
        for day, figures in days.items():
            for name in DAY_FIGURES:
                total[day][name] += figures.get(name, 0)
    return {day: figures for day, figures in total.items() if any(figures.values())}


def check_reports(api, readers, mailings, history, since, until):
    """Each reader's list and per-day series; the manager's (last reader's)
    details and CSV too — the owners' go through the same code."""
    query = {key: value.isoformat() for key, value in (("period_after", since), ("period_before", until)) if value}
    expected = {m.pk: history.expected(m, since, until) for m in mailings}
    for reader, visible in readers:
        client = api.as_(reader)
        rows = {row["mailing"]: row for row in client.get("/api/reports/", query).json()["results"]}
        assert set(rows) == {m.pk for m in visible}
        for mailing in visible:
            figures = expected[mailing.pk][0]
            assert {name: rows[mailing.pk][name] for name in figures} == figures, (reader.time_zone, query)
        series = client.get("/api/reports/daily/", query).json()
        assert _days_of(series) == _merged(*(expected[m.pk][1] for m in visible)), (reader.time_zone, query)
    for mailing in mailings:
        figures, days = expected[mailing.pk]
        detail = client.get(f"/api/reports/{mailing.pk}/", query).json()
        assert {name: detail[name] for name in figures} == figures
        assert _days_of(detail["days"]) == _merged(days)
        assert sum(run["planned"] for run in detail["run_list"] if not run["is_resend"]) == figures["planned"]
        assert sum(run["sent"] for run in detail["run_list"]) == figures["sent"]
    exported = list(csv.DictReader(io.StringIO(client.get("/api/reports/export/", query).content.decode())))
    assert len(exported) == len(mailings)
    for row in exported:
        figures = expected[int(row["mailing"])][0]
        rate = "" if figures["success_rate"] is None else str(figures["success_rate"])
        assert {name: row[name] for name in figures} == {
            **{name: str(value) for name, value in figures.items()},
            "success_rate": rate,
        }


@pytest.fixture
def peer():
    with SmtpPeer() as running:
        yield running


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Found by Hypothesis: "send now" asked again while the first run still had a send to retry
# answers that run, which keeps the day it was planned on (its owner's zone has moved since).
@example(
    owner_zones=("Pacific/Pago_Pago", "UTC"),
    reader_zone="UTC",
    history_steps=[("run", 0, [None, None, "451 4.3.0 try later"]), ("zone", 0, "UTC"), ("run", 0, [None] * 3)],
    period=(None, date(2026, 11, 28)),
)
@given(
    owner_zones=st.tuples(st.sampled_from(ZONES), st.sampled_from(ZONES)),
    reader_zone=st.sampled_from(ZONES),
    history_steps=st.lists(steps, min_size=1, max_size=6),
    period=periods,
)
def test_every_report_figure_equals_the_count_from_attempts_and_events(
    api, peer, owner, other_user, manager, owner_zones, reader_zone, history_steps, period
):
    since, until = period
    with transaction.atomic(), time_machine.travel(T0, tick=False) as clock:
        owners = [User.objects.get(pk=owner.pk), User.objects.get(pk=other_user.pk)]
        reader = User.objects.get(pk=manager.pk)
        reader.time_zone = reader_zone
        reader.save()
        for user, zone in zip(owners, owner_zones, strict=True):
            user.time_zone = zone
            user.save()
        mailings = []
        for n, user in enumerate(owners):
            clients = [ClientFactory(owner=user, email=f"o{n}c{i}@example.com") for i in range(CLIENTS)]
            mailings.append(
                mailing_create(
                    owner=user,
                    message=MessageFactory(owner=user),
                    clients=clients,
                    start_at=T0 + timedelta(days=365),
                    periodicity="once",
                    now=T0,
                )
            )
        history = History()

        def day_now(n):
            return datetime.now(UTC).astimezone(ZoneInfo(owners[n].time_zone)).date()

        for step in history_steps:
            kind, *args = step
            if kind == "wait":
                clock.shift(timedelta(hours=args[0]))
            elif kind == "zone":
                owners[args[0]].time_zone = args[1]
                owners[args[0]].save()
            elif kind == "unsubscribe":
                mailing = mailings[args[0]]
                client = mailing.clients.order_by("email")[args[1]]
                if client_unsubscribe(target=UnsubscribeTarget(client=client, mailing_id=mailing.pk)):
                    history.unsubscribes.append((mailing.pk, day_now(args[0])))
            else:
                n, chosen = args[0], args[1]
                mailing = mailings[n]
                emails = [f"o{n}c{i}@example.com" for i in range(CLIENTS)]
                peer.handler.replies = {email: reply for email, reply in zip(emails, chosen, strict=True) if reply}
                if kind == "run":
                    # asked again while its run still has sends open, "send now" answers that run:
                    # the run's day stays the one it was planned on
                    run_at = mailing_send_now(mailing=mailing)
                    history.run_days.setdefault((mailing.pk, run_at), day_now(n))
                else:
                    latest = max((run for m, run in history.run_days if m == mailing.pk), default=None)
                    resend = mailing_resend_failed(mailing=mailing, run_at=None if args[2] else latest)
                    if resend.run_at is not None:
                        history.run_days.setdefault((mailing.pk, resend.run_at), day_now(n))
                        history.resends.add((mailing.pk, resend.run_at))
                dispatcher_for(peer.port).run()
                clock.shift(timedelta(minutes=2))  # past the back-off: a later pass retries
            recount_all_stale()
            check_reports(
                api,
                [(owners[0], mailings[:1]), (owners[1], mailings[1:]), (reader, mailings)],
                mailings,
                history,
                since,
                until,
            )
        assert ClientEvent.objects.filter(kind="unsubscribed").count() == len(history.unsubscribes)
        transaction.set_rollback(True)
