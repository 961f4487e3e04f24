"""A bounce that came back later shows in the API and on the pages: on its
attempt (when, status code, diagnostic; the `bounced` filter) and in the
reports' runs (bounced, not sent, not reached)."""

import pytest

from api.tests.conftest import HX
from core.dispatch.statistics import recount_all_stale
from core.models import Attempt
from core.services.bounces import Bounce, attempt_bounced
from core.tests.conftest import dispatch_due, make_mailing

DIAGNOSTIC = "550 5.1.1 <c0@example.com>: Recipient address rejected: User unknown"


@pytest.fixture
def bounced(owner):
    mailing = make_mailing(owner, 3)
    assert dispatch_due() == 3
    attempt = Attempt.objects.get(mailing=mailing, client__email="c0@example.com")
    assert attempt_bounced(attempt_id=attempt.pk, bounce=Bounce(status="5.1.1", diagnostic=DIAGNOSTIC))
    recount_all_stale()
    return attempt


def test_the_attempt_carries_its_bounce_and_can_be_filtered(api, owner, bounced):
    client = api.as_(owner)
    body = client.get(f"/api/attempts/{bounced.pk}/").json()
    assert body["status"] == "success"
    assert (body["bounce_status"], body["bounce_diagnostic"]) == ("5.1.1", DIAGNOSTIC)
    assert body["bounced_at"] is not None

    listed = client.get(f"/api/attempts/?mailing={bounced.mailing_id}&bounced=true").json()["results"]
    assert [row["id"] for row in listed] == [bounced.pk]
    others = client.get(f"/api/attempts/?mailing={bounced.mailing_id}&bounced=false").json()["results"]
    assert len(others) == 2 and all(row["bounced_at"] is None and row["bounce_status"] == "" for row in others)


def test_the_report_counts_the_run_as_bounced_not_sent(api, owner, bounced):
    detail = api.as_(owner).get(f"/api/reports/{bounced.mailing_id}/").json()
    [run] = detail["run_list"]
    assert (run["planned"], run["sent"], run["bounced"], run["reached"]) == (3, 2, 1, 2)
    assert (detail["sent"], detail["bounced"], detail["suppressed"], detail["success_rate"]) == (2, 1, 1, 66.7)
    [row] = api.as_(owner).get("/api/reports/").json()["results"]
    assert (row["sent"], row["bounced"]) == (2, 1)


def test_another_users_bounce_stays_hidden(api, other_user, bounced):
    assert api.as_(other_user).get(f"/api/attempts/{bounced.pk}/").status_code == 404


def test_the_pages_show_the_bounce(client, owner, bounced):
    client.force_login(owner)
    detail = client.get(f"/api/attempts/{bounced.pk}/", **HX).content.decode()
    assert "Bounced" in detail and DIAGNOSTIC.replace("<", "&lt;").replace(">", "&gt;") in detail
    report = client.get(f"/api/reports/{bounced.mailing_id}/", **HX).content.decode()
    assert '<th scope="col">Bounced</th>' in report
