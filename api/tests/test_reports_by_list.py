"""A mailing's report gives, for each of its runs, per targeted list how many of
the list's clients were reached, failed and skipped — in the API and on the
report panel; only to those who may read the report."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from core.services.mailings import mailing_create
from core.tests.conftest import peer  # noqa: F401 - a real SMTP peer for the dispatcher
from core.tests.factories import MessageFactory
from core.tests.test_list_dispatch import dispatcher_at, make_list, person


def sent_mailing(owner, smtp):
    ann, bob, cid = (person(owner, name) for name in ("ann", "bob", "cid"))
    cid.unsubscribed_at = timezone.now()
    cid.save()
    first, second = make_list(owner, "First", [ann, bob]), make_list(owner, "Second", [bob, cid])
    smtp.handler.replies["bob@example.com"] = "550 5.1.1 no such mailbox"
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    mailing = mailing_create(owner=owner, message=MessageFactory(owner=owner), lists=[first, second], start_at=start)
    dispatcher_at(smtp.port, start + timedelta(minutes=1)).run()
    return mailing, first, second


def test_the_run_report_has_figures_per_list(api, owner, peer):  # noqa: F811
    mailing, first, second = sent_mailing(owner, peer)
    response = api.as_(owner).get(f"/api/reports/{mailing.pk}/")
    assert response.status_code == 200
    (run,) = response.json()["run_list"]
    assert (run["planned"], run["sent"], run["failed"], run["skipped"]) == (3, 1, 1, 1)
    figures = {"planned", "reached", "sent", "failed", "pending", "skipped"}
    assert [{key: row[key] for key in ("list", "name", *sorted(figures))} for row in run["lists"]] == [
        {
            "list": first.pk,
            "name": "First",
            "failed": 1,
            "pending": 0,
            "planned": 2,
            "reached": 1,
            "sent": 1,
            "skipped": 0,
        },
        {
            "list": second.pk,
            "name": "Second",
            "failed": 1,
            "pending": 0,
            "planned": 2,
            "reached": 0,
            "sent": 0,
            "skipped": 1,
        },
    ]


def test_only_who_may_read_the_report_sees_it_by_list(api, owner, other_user, manager, peer):  # noqa: F811
    mailing, first, _second = sent_mailing(owner, peer)
    assert api.as_(other_user).get(f"/api/reports/{mailing.pk}/").status_code == 404
    seen = api.as_(manager).get(f"/api/reports/{mailing.pk}/")
    assert seen.status_code == 200 and seen.json()["run_list"][0]["lists"][0]["list"] == first.pk


def test_the_report_panel_shows_the_runs_by_list(page, owner, peer):  # noqa: F811
    mailing, first, second = sent_mailing(owner, peer)
    html = page.as_(owner).get(f"/api/reports/{mailing.pk}/").content.decode()
    assert "Runs by list" in html
    assert f'data-list="{first.pk}"' in html and f'data-list="{second.pk}"' in html
    row = html.split(f'data-list="{second.pk}">', 1)[1].split("</tr>", 1)[0]
    assert "Second</th><td>2</td><td>0</td><td>0</td><td>1</td><td>0</td><td>1</td>" in row


def test_a_mailing_without_lists_shows_no_runs_by_list(page, owner, peer):  # noqa: F811
    ann = person(owner, "ann")
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    mailing = mailing_create(owner=owner, message=MessageFactory(owner=owner), clients=[ann], start_at=start)
    dispatcher_at(peer.port, start + timedelta(minutes=1)).run()
    assert "Runs by list" not in page.as_(owner).get(f"/api/reports/{mailing.pk}/").content.decode()
