"""The list response cache (api/list_cache.py): a repeated GET is served from the
cache, byte for byte what a fresh render gives; a write to the reader's data —
through the API, planning, the dispatcher's write-back of attempts, the
statistics job's recount — makes their next GET fresh, and a manager's, while
other owners' lists stay cached; users, faces and pages never share an entry,
and a query the list does not read makes no entry.

Transactional tests: the versions move on when a write commits."""

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from api.tests.conftest import HX
from core.dispatch.planning import plan_one
from core.dispatch.statistics import recount_all_stale
from core.models import Attempt, RunStats
from core.services.mailings import mailing_set_active
from core.services.stats import mark_runs_stale
from core.tests.conftest import dispatch_due, make_mailing
from core.tests.factories import ClientFactory, MailingFactory

T0 = datetime(2026, 5, 1, 9, tzinfo=UTC)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.DATA_CACHE_SECONDS = 60


@pytest.fixture
def data(owner):
    clients = [ClientFactory(owner=owner) for _ in range(2)]
    mailing = MailingFactory(owner=owner, clients=clients)
    for client in clients:
        Attempt.objects.create(mailing=mailing, client=client, run_at=T0)
    RunStats.objects.create(mailing=mailing, run_at=T0, planned=2, pending=2, stale=False)
    return mailing


def queries(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return response, len(captured)


HEADERS_COMPARED = ["Content-Type", "Vary", "Allow", "Content-Language"]


@pytest.mark.parametrize("url", ["/api/mailings/", "/api/attempts/", "/api/reports/", "/api/reports/daily/"])
@pytest.mark.parametrize("face", [{}, HX], ids=["json", "html"])
def test_a_repeated_get_is_served_from_the_cache_unchanged(api, owner, data, url, face):
    client = api.as_(owner)
    fresh, fresh_queries = queries(client, url, **face)
    cached, cached_queries = queries(client, url, **face)
    assert cached.content == fresh.content
    assert [cached.get(h) for h in HEADERS_COMPARED] == [fresh.get(h) for h in HEADERS_COMPARED]
    assert cached_queries == 1 < fresh_queries  # the token only


def test_an_api_write_makes_the_next_get_fresh(api, owner, data):
    client = api.as_(owner)
    assert client.get("/api/mailings/").json()["results"][0]["is_active"] is True
    assert client.post(f"/api/mailings/{data.pk}/disable/").status_code == 200
    assert client.get("/api/mailings/").json()["results"][0]["is_active"] is False
    html = client.get("/api/mailings/", **HX).content.decode()
    assert client.post(f"/api/mailings/{data.pk}/enable/").status_code == 200
    assert client.get("/api/mailings/", **HX).content.decode() != html


def cached(client, url) -> bool:
    """Whether the GET was served from the cache (it asked the database for its token only)."""
    return queries(client, url)[1] == 1


def test_the_dispatchers_write_back_makes_the_owners_next_get_fresh_and_leaves_others_cached(
    api, owner, other_user, manager, data
):
    sending = make_mailing(other_user, 2)
    plan_one(datetime.now(UTC))
    theirs = f"/api/attempts/?mailing={sending.pk}"
    readers = [(owner, "/api/attempts/"), (other_user, theirs), (manager, "/api/mailings/")]
    for user, url in readers:
        api.as_(user).get(url)
        assert cached(api.as_(user), url)
    assert {row["status"] for row in api.as_(other_user).get(theirs).json()["results"]} == {"pending"}

    assert dispatch_due() == 2

    assert cached(api.as_(owner), "/api/attempts/")
    assert {row["status"] for row in api.as_(other_user).get(theirs).json()["results"]} == {"success"}
    assert not cached(api.as_(manager), "/api/mailings/")


def test_planning_another_owners_run_leaves_a_list_cached(api, owner, other_user, data):
    make_mailing(other_user, 2)
    client = api.as_(owner)
    client.get("/api/attempts/")
    plan_one(datetime.now(UTC))
    assert Attempt.objects.filter(mailing__owner=other_user).count() == 2
    assert cached(client, "/api/attempts/")


def test_a_report_counts_stale_runs_before_the_statistics_job(api, owner, data):
    client = api.as_(owner)
    assert client.get("/api/reports/").json()["results"][0]["sent"] == 0
    Attempt.objects.update(status="success", attempted_at=T0)
    mark_runs_stale([(data.pk, T0)])  # as the dispatcher does after a batch
    assert client.get("/api/reports/").json()["results"][0]["sent"] == 2
    assert recount_all_stale() == 0  # the report counted it already
    assert client.get("/api/reports/").json()["results"][0]["sent"] == 2


def test_a_rolled_back_write_keeps_the_cache(api, owner, data):
    client = api.as_(owner)
    client.get("/api/mailings/")
    with pytest.raises(RuntimeError), transaction.atomic():
        mailing_set_active(mailing=data, active=False, by=owner)
        raise RuntimeError
    assert cached(client, "/api/mailings/")
    mailing_set_active(mailing=data, active=False, by=owner)
    assert not cached(client, "/api/mailings/")


def test_a_query_the_list_does_not_read_makes_no_entry(api, owner, data):
    client = api.as_(owner)
    for number in range(3):
        client.get(f"/api/mailings/?junk={number}")
        assert not cached(client, f"/api/mailings/?junk={number}")
    client.get("/api/mailings/?status=created&start_at_after=2026-01-01T00:00")
    assert cached(client, "/api/mailings/?status=created&start_at_after=2026-01-01T00:00")


def test_users_faces_and_pages_do_not_share_entries(api, owner, manager, data):
    as_owner = api.as_(owner).get("/api/mailings/").json()
    assert "owner_email" in as_owner["results"][0]
    assert api.as_(manager).get("/api/mailings/?page_size=1").json()["count"] == 1
    assert api.as_(manager).get("/api/mailings/", **HX)["Content-Type"].startswith("text/html")
    assert api.as_(manager).get("/api/mailings/")["Content-Type"] == "application/json"
    assert api.as_(owner).get("/api/mailings/?status=finished").json()["count"] == 0


def test_errors_are_not_cached(api, owner, data):
    client = api.as_(owner)
    assert client.get("/api/mailings/?status=nonsense").status_code == 400
    _, count = queries(client, "/api/mailings/")
    assert count > 1


def test_off_without_the_setting(api, owner, data, settings):
    settings.DATA_CACHE_SECONDS = 0
    client = api.as_(owner)
    client.get("/api/mailings/")
    _, count = queries(client, "/api/mailings/")
    assert count > 1


@pytest.mark.django_db(transaction=False)
def test_on_by_default_with_redis_refused_without():
    from core.tests.test_settings import PRODUCTION, run

    show = "import django; django.setup(); from django.conf import settings as s; print(s.DATA_CACHE_SECONDS)"
    with_redis = run(show, **PRODUCTION, REDIS_URL="redis://127.0.0.1:6379/3")
    assert (with_redis.returncode, with_redis.stdout.strip()) == (0, "60"), with_redis.stderr
    assert run(show, **PRODUCTION).stdout.strip() == "0"
    refused = run(show, **PRODUCTION, DATA_CACHE_SECONDS="30")
    assert refused.returncode != 0
    assert "DATA_CACHE_SECONDS needs a shared cache" in refused.stderr


def test_the_statistics_job_makes_the_next_per_day_series_fresh(api, owner, other_user, data):
    assert api.as_(owner).get("/api/reports/daily/").json() == []  # no day rolled up yet
    api.as_(other_user).get("/api/reports/daily/")
    RunStats.objects.update(stale=True)  # as the dispatcher leaves a run it changed
    recount_all_stale()
    [day] = api.as_(owner).get("/api/reports/daily/").json()
    assert (day["date"], day["pending"]) == ("2026-05-01", 2)
    assert cached(api.as_(other_user), "/api/reports/daily/")  # nothing of theirs was recounted
