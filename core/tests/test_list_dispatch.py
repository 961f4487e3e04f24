"""Mailings sent to lists: who is on a list is read when each run is planned,
so a weekly mailing reaches whoever is on its lists at that run; a client on
the mailing and on its lists gets one message; unsubscribed members are still
recorded as skipped; taking a client off a list leaves planned runs alone."""

from datetime import UTC, datetime, timedelta

import pytest

from core.dispatch.engine import Dispatcher
from core.dispatch.planning import plan_one
from core.dispatch.transport import SmtpTransport
from core.models import Attempt, AttemptStatus, ClientList
from core.services import mailings as mailing_services
from core.services.lists import list_add_clients, list_remove_clients
from core.services.mailings import mailing_create, next_run_reach
from core.tests.conftest import dispatcher_for, fast_config
from core.tests.factories import ClientFactory, MessageFactory


def person(owner, name):
    return ClientFactory(owner=owner, email=f"{name}@example.com", full_name=name.title())


def make_list(owner, name, clients):
    client_list = ClientList.objects.create(owner=owner, name=name)
    client_list.clients.set(clients)
    return client_list


def dispatcher_at(port, moment):
    config = fast_config()
    transport = SmtpTransport(config, host="127.0.0.1", port=port)
    return Dispatcher(config=config, transport=transport, time_budget=config.time_budget, clock=lambda: moment)


def received(peer) -> list[str]:
    got = sorted(peer.handler.recipients())
    peer.handler.received.clear()
    return got


def test_a_weekly_mailing_reaches_whoever_is_on_its_list_at_each_run(owner, peer):
    ann, bob, carl = person(owner, "ann"), person(owner, "bob"), person(owner, "carl")
    readers = make_list(owner, "Readers", [ann, carl])
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    mailing = mailing_create(
        owner=owner, message=MessageFactory(owner=owner), lists=[readers], start_at=start, periodicity="weekly"
    )

    dispatcher_at(peer.port, start + timedelta(minutes=1)).run()
    assert received(peer) == ["ann@example.com", "carl@example.com"]

    list_add_clients(client_list=readers, client_ids=[bob.pk])  # joins between the runs
    list_remove_clients(client_list=readers, client_ids=[carl.pk])  # leaves between the runs

    dispatcher_at(peer.port, start + timedelta(days=7, minutes=1)).run()
    assert received(peer) == ["ann@example.com", "bob@example.com"]

    runs = {}
    attempts = Attempt.objects.filter(mailing=mailing).order_by("run_at", "client")
    for client_id, run_at, status in attempts.values_list("client", "run_at", "status"):
        runs.setdefault(client_id, []).append((run_at - start, status))
    assert runs == {
        ann.pk: [(timedelta(0), AttemptStatus.SUCCESS), (timedelta(days=7), AttemptStatus.SUCCESS)],
        carl.pk: [(timedelta(0), AttemptStatus.SUCCESS)],  # the first run only
        bob.pk: [(timedelta(days=7), AttemptStatus.SUCCESS)],  # the second run only
    }


def test_a_client_on_the_mailing_and_on_two_of_its_lists_gets_one_message(owner, peer):
    ann, bob, cid, dan = (person(owner, name) for name in ("ann", "bob", "cid", "dan"))
    first = make_list(owner, "First", [ann, bob])
    second = make_list(owner, "Second", [bob, cid])
    make_list(owner, "Not sent to", [dan])
    mailing = mailing_create(
        owner=owner,
        message=MessageFactory(owner=owner),
        clients=[ann, cid],
        lists=[first, second],
        start_at=datetime.now(UTC) - timedelta(minutes=1),
    )
    assert next_run_reach(mailing).clients == 3

    dispatcher_for(peer.port).run()

    assert received(peer) == ["ann@example.com", "bob@example.com", "cid@example.com"]
    assert Attempt.objects.filter(mailing=mailing).count() == 3


def test_unsubscribed_and_suppressed_members_are_recorded_as_skipped(owner, peer):
    ann, bob, cid = person(owner, "ann"), person(owner, "bob"), person(owner, "cid")
    now = datetime.now(UTC)
    bob.unsubscribed_at = now
    bob.save()
    cid.suppressed_at = now
    cid.save()
    mailing = mailing_create(
        owner=owner,
        message=MessageFactory(owner=owner),
        lists=[make_list(owner, "All", [ann, bob, cid])],
        start_at=now - timedelta(minutes=1),
    )
    reach = next_run_reach(mailing)
    assert (reach.clients, reach.reachable) == (3, 1)

    dispatcher_for(peer.port).run()

    assert received(peer) == ["ann@example.com"]
    statuses = dict(Attempt.objects.filter(mailing=mailing).values_list("client", "status"))
    assert statuses == {ann.pk: AttemptStatus.SUCCESS, bob.pk: AttemptStatus.SKIPPED, cid.pk: AttemptStatus.SKIPPED}


def test_taking_a_client_off_a_list_leaves_the_planned_run_alone(owner, peer):
    ann, bob = person(owner, "ann"), person(owner, "bob")
    readers = make_list(owner, "Readers", [ann, bob])
    now = datetime.now(UTC)
    mailing = mailing_create(
        owner=owner, message=MessageFactory(owner=owner), lists=[readers], start_at=now - timedelta(minutes=1)
    )
    plan_one(now)
    list_remove_clients(client_list=readers, client_ids=[bob.pk])
    assert Attempt.objects.get(mailing=mailing, client=bob).status == AttemptStatus.PENDING

    dispatcher_for(peer.port).run()

    assert received(peer) == ["ann@example.com", "bob@example.com"]


def test_taking_a_list_off_a_mailing_withdraws_its_members_open_sends_but_not_the_mailings_own(owner):
    ann, bob = person(owner, "ann"), person(owner, "bob")
    readers = make_list(owner, "Readers", [ann, bob])
    now = datetime.now(UTC)
    mailing = mailing_create(
        owner=owner,
        message=MessageFactory(owner=owner),
        clients=[ann],
        lists=[readers],
        start_at=now - timedelta(minutes=1),
    )
    plan_one(now)
    mailing_services.mailing_update(mailing=mailing, lists=[])
    statuses = dict(Attempt.objects.filter(mailing=mailing).values_list("client", "status"))
    assert statuses == {ann.pk: AttemptStatus.PENDING, bob.pk: AttemptStatus.SKIPPED}


@pytest.mark.parametrize("chunk", [1, 2, 3, 10_000])
def test_planning_in_chunks_covers_the_union_once_and_again_creates_nothing(owner, monkeypatch, chunk):
    monkeypatch.setattr(mailing_services, "PLAN_CHUNK", chunk)
    clients = [person(owner, f"c{i}") for i in range(7)]
    mailing = mailing_create(
        owner=owner,
        message=MessageFactory(owner=owner),
        clients=clients[0:3],
        lists=[make_list(owner, "A", clients[2:5]), make_list(owner, "B", [clients[1], *clients[4:7]])],
        start_at=datetime.now(UTC) + timedelta(days=1),
    )
    run_at = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    assert mailing_services.plan_run(mailing=mailing, run_at=run_at) == 7
    assert mailing_services.plan_run(mailing=mailing, run_at=run_at) == 0
    planned = list(Attempt.objects.filter(mailing=mailing).order_by("pk").values_list("client", flat=True))
    assert planned == [c.pk for c in clients]  # in client order, each once


def test_a_dry_run_lists_the_members_of_the_mailings_lists(owner):
    from io import StringIO

    from django.core.management import call_command

    ann, bob = person(owner, "ann"), person(owner, "bob")
    mailing = mailing_create(
        owner=owner,
        message=MessageFactory(owner=owner, subject="Hi {full_name}"),
        clients=[ann],
        lists=[make_list(owner, "Readers", [ann, bob])],
        start_at=datetime.now(UTC) + timedelta(days=1),
    )
    out = StringIO()
    call_command("send_mailing", str(mailing.pk), "--dry-run", stdout=out)
    assert "would be sent to 2 recipient(s)" in out.getvalue()
    assert "Hi Bob" in out.getvalue()


def test_deleting_an_owner_deletes_their_lists_and_mailings_to_them(owner):
    readers = make_list(owner, "Readers", [person(owner, "ann")])
    mailing_create(
        owner=owner,
        message=MessageFactory(owner=owner),
        lists=[readers],
        start_at=datetime.now(UTC) + timedelta(days=1),
    )
    owner.delete()
    assert not ClientList.objects.exists()


def test_taking_a_client_off_the_mailing_keeps_her_send_while_she_is_on_its_list(owner):
    ann, bob = person(owner, "ann"), person(owner, "bob")
    now = datetime.now(UTC)
    mailing = mailing_create(
        owner=owner,
        message=MessageFactory(owner=owner),
        clients=[ann, bob],
        lists=[make_list(owner, "Readers", [ann])],
        start_at=now - timedelta(minutes=1),
    )
    plan_one(now)
    mailing_services.mailing_update(mailing=mailing, clients=[])
    statuses = dict(Attempt.objects.filter(mailing=mailing).values_list("client", "status"))
    assert statuses == {ann.pk: AttemptStatus.PENDING, bob.pk: AttemptStatus.SKIPPED}
