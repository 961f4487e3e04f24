"""Reports by list: for each run of a mailing sent to lists, per targeted list,
how many of the clients it held when the run was planned were reached,
skipped and failed — whatever happens to the lists afterwards. A client on two
targeted lists counts in both and gets one message."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from core.dispatch.statistics import recount_all_stale
from core.models import Attempt, AttemptSource, RunListStats, RunStats
from core.services.lists import list_add_clients, list_remove_clients
from core.services.mailings import mailing_create, mailing_resend_failed, plan_run
from core.services.stats import mark_runs_stale
from core.tests.conftest import dispatcher_for
from core.tests.factories import MessageFactory
from core.tests.smtp_peers import PeerHandler, SmtpPeer
from core.tests.test_list_dispatch import dispatcher_at, make_list, person, received

FIGURES = ("planned", "reached", "sent", "failed", "pending", "skipped")


def by_list(run: RunStats) -> dict[str, tuple]:
    rows = RunListStats.objects.filter(run=run).select_related("client_list")
    return {row.client_list.name: tuple(getattr(row, name) for name in FIGURES) for row in rows}


def audience(owner):
    people = {name: person(owner, name) for name in ("ann", "bob", "cid", "dan", "eve")}
    first = make_list(owner, "First", [people["ann"], people["bob"]])
    second = make_list(owner, "Second", [people["bob"], people["cid"]])
    make_list(owner, "Not sent to", [people["dan"]])
    return people, first, second


def test_each_targeted_list_counts_what_its_clients_got_as_it_was_at_planning(owner, peer):
    people, first, second = audience(owner)
    people["cid"].unsubscribed_at = timezone.now()  # skipped
    people["cid"].save()
    peer.handler.replies["bob@example.com"] = "550 5.1.1 no such mailbox"  # failed
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    mailing = mailing_create(
        owner=owner,
        message=MessageFactory(owner=owner),
        clients=[people["eve"]],
        lists=[first, second],
        start_at=start,
        periodicity="weekly",
    )
    dispatcher_at(peer.port, start + timedelta(minutes=1)).run()
    assert received(peer) == ["ann@example.com", "eve@example.com"]
    assert Attempt.objects.filter(mailing=mailing, client=people["bob"]).count() == 1  # on both lists, one send

    # the lists change after the run was planned: its report by list does not
    list_remove_clients(client_list=first, client_ids=[people["ann"].pk])
    list_add_clients(client_list=first, client_ids=[people["dan"].pk])
    run = RunStats.objects.get(mailing=mailing)
    mark_runs_stale([(mailing.pk, run.run_at)])
    recount_all_stale()
    #                     planned reached sent failed pending skipped
    assert by_list(run) == {"First": (2, 1, 1, 1, 0, 0), "Second": (2, 0, 0, 1, 0, 1)}
    run.refresh_from_db()
    assert (run.planned, run.sent, run.failed, run.skipped) == (4, 2, 1, 1)

    # the next run reads the lists as they are then
    dispatcher_at(peer.port, start + timedelta(days=7, minutes=1)).run()
    recount_all_stale()
    later = RunStats.objects.get(mailing=mailing, run_at=start + timedelta(days=7))
    assert by_list(later)["First"][0] == 2  # bob and dan
    assert sorted(
        AttemptSource.objects.filter(run_at=later.run_at, client_list=first).values_list("client__email", flat=True)
    ) == ["bob@example.com", "dan@example.com"]


def test_planning_a_run_again_writes_no_second_source(owner):
    people, first, second = audience(owner)
    mailing = mailing_create(
        owner=owner, message=MessageFactory(owner=owner), lists=[first, second], start_at=timezone.now()
    )
    run_at = timezone.now().replace(microsecond=0)
    assert plan_run(mailing=mailing, run_at=run_at) == 3
    assert AttemptSource.objects.filter(mailing=mailing).count() == 4  # bob twice
    list_add_clients(client_list=first, client_ids=[people["cid"].pk, people["dan"].pk])
    assert plan_run(mailing=mailing, run_at=run_at) == 1  # dan only: the run's others are planned
    sources = AttemptSource.objects.filter(mailing=mailing)
    assert sorted(sources.values_list("client__email", "client_list__name")) == [
        ("ann@example.com", "First"),
        ("bob@example.com", "First"),
        ("bob@example.com", "Second"),
        ("cid@example.com", "Second"),
        ("dan@example.com", "First"),
    ]


def test_a_mailing_without_lists_has_no_report_by_list(owner, peer):
    ann = person(owner, "ann")
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    mailing_create(owner=owner, message=MessageFactory(owner=owner), clients=[ann], start_at=start)
    dispatcher_at(peer.port, start + timedelta(minutes=1)).run()
    recount_all_stale()
    assert RunStats.objects.get().sent == 1
    assert not AttemptSource.objects.exists() and not RunListStats.objects.exists()


def test_deleting_the_mailing_or_a_list_deletes_their_sources(owner):
    _people, first, second = audience(owner)
    mailing = mailing_create(
        owner=owner, message=MessageFactory(owner=owner), lists=[first, second], start_at=timezone.now()
    )
    plan_run(mailing=mailing, run_at=timezone.now().replace(microsecond=0))
    mailing.targets.filter(client_list=second).delete()
    second.delete()
    assert sorted(AttemptSource.objects.values_list("client__email", flat=True)) == [
        "ann@example.com",
        "bob@example.com",
    ]
    mailing.delete()
    assert not AttemptSource.objects.exists() and not Attempt.objects.exists()


def test_a_client_a_resend_reaches_counts_as_reached_for_their_lists(owner):
    _people, first, second = audience(owner)
    with SmtpPeer(PeerHandler(replies={"bob@example.com": "550 5.2.1 Mailbox disabled"})) as peer:
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
        mailing = mailing_create(
            owner=owner, message=MessageFactory(owner=owner), lists=[first, second], start_at=start
        )
        dispatcher_for(peer.port).run()
        recount_all_stale()
        run = RunStats.objects.get(mailing=mailing)
        #                     planned reached sent failed pending skipped
        assert by_list(run) == {"First": (2, 1, 1, 1, 0, 0), "Second": (2, 1, 1, 1, 0, 0)}
        peer.handler.replies.clear()
        mailing_resend_failed(mailing=mailing)
        dispatcher_for(peer.port).run()
        recount_all_stale()
    # bob's first send still failed; the resend reached him, for both his lists
    assert by_list(run) == {"First": (2, 2, 1, 1, 0, 0), "Second": (2, 2, 1, 1, 0, 0)}
    resend = RunStats.objects.get(mailing=mailing, is_resend=True)
    assert resend.sent == 1 and not RunListStats.objects.filter(run=resend).exists()


def test_a_run_planned_again_after_its_attempts_were_deleted_keeps_one_source_per_list(owner):
    """Attempts may go without their sources (sources have no key to them); planning the
    run again must not fail on the sources left behind, nor count them twice."""
    _people, first, second = audience(owner)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    mailing = mailing_create(
        owner=owner, message=MessageFactory(owner=owner), lists=[first, second], start_at=start, periodicity="weekly"
    )
    assert plan_run(mailing=mailing, run_at=start) == 3  # ann, bob (on both lists), cid
    Attempt.objects.filter(mailing=mailing).delete()
    assert plan_run(mailing=mailing, run_at=start) == 3
    assert AttemptSource.objects.filter(mailing=mailing, run_at=start).count() == 4  # bob once per list
