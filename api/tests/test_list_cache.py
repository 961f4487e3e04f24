"""The list response cache (api/list_cache.py): a repeated GET is served from the
cache, byte for byte what a fresh render gives; any write — through the API, the
dispatcher's write-back of attempts, the statistics job's recount — makes the
next GET fresh; users, faces and pages never share an entry.

Transactional tests: the data version is bumped when a write commits."""

import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from api.tests.conftest import HX
from core import data_version
from core.dispatch.sending import _store_results
from core.dispatch.statistics import recount_all_stale
from core.models import Attempt, RunStats
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


def test_the_dispatchers_write_back_makes_the_next_get_fresh(api, owner, data):
    client = api.as_(owner)
    url = f"/api/attempts/?mailing={data.pk}"
    assert {row["status"] for row in client.get(url).json()["results"]} == {"pending"}
    claim = uuid.uuid4()
    Attempt.objects.update(status="sending", claim=claim)
    done = list(Attempt.objects.all())
    for attempt in done:
        attempt.status, attempt.tries, attempt.attempted_at, attempt.smtp_code = "success", 1, T0, 250
    _store_results(done, claim=claim)  # the dispatcher's own executemany
    assert {row["status"] for row in client.get(url).json()["results"]} == {"success"}


def test_a_report_counts_stale_runs_before_the_statistics_job(api, owner, data):
    client = api.as_(owner)
    assert client.get("/api/reports/").json()["results"][0]["sent"] == 0
    Attempt.objects.update(status="success", attempted_at=T0)
    RunStats.objects.update(stale=True)
    assert client.get("/api/reports/").json()["results"][0]["sent"] == 2
    assert recount_all_stale() == 0  # the report counted it already
    assert client.get("/api/reports/").json()["results"][0]["sent"] == 2


def test_a_rolled_back_write_keeps_the_cache(api, owner, data):
    client = api.as_(owner)
    client.get("/api/mailings/")
    version = data_version.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        Attempt.objects.update(status="failure")
        raise RuntimeError
    assert data_version.current() == version
    Attempt.objects.update(status="failure")
    assert data_version.current() != version


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


def test_the_statistics_job_makes_the_next_per_day_series_fresh(api, owner, data):
    client = api.as_(owner)
    assert client.get("/api/reports/daily/").json() == []  # no day rolled up yet
    RunStats.objects.update(stale=True)  # as the dispatcher leaves a run it changed
    recount_all_stale()
    [day] = client.get("/api/reports/daily/").json()
    assert (day["date"], day["pending"]) == ("2026-05-01", 2)
