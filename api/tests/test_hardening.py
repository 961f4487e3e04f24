"""No input makes the API answer 500: wrong types, huge numbers, broken bodies,
bad pages, unknown orderings and odd characters get 4xx or are ignored."""

import pytest

from core.models import Client
from core.tests.factories import ClientFactory, MailingFactory

HUGE = 10**30


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=abc",
        f"page={HUGE}",
        f"page_size={HUGE}",
        "page_size=-5",
        "ordering=password",
        "ordering=owner__password",
        "ordering=-",
        f"owner={HUGE}",
        "owner=1e3",
        "start_at_after=2026-02-30T00:00:00Z",
        "is_active=maybe",
        "status=%00",
    ],
)
def test_list_queries_never_500(api, owner, query):
    MailingFactory(owner=owner)
    response = api.as_(owner).get(f"/api/mailings/?{query}")
    assert response.status_code in {200, 400, 404}, response.content


def test_unknown_ordering_is_ignored(api, owner):
    ClientFactory(owner=owner)
    assert api.as_(owner).get("/api/clients/?ordering=owner__password").status_code == 200


@pytest.mark.parametrize("pk", [str(HUGE), "-1", "0", "abc", "1.5"])
def test_odd_ids_are_404(api, owner, pk):
    assert api.as_(owner).get(f"/api/clients/{pk}/").status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "just a string",
        {"email": ["a@example.com"], "full_name": {"x": 1}},
        {"email": "a@example.com", "full_name": "x" * 10_000},
        {"email": "a@example.com", "full_name": "nul\x00byte"},
        {"email": True, "full_name": 12},
    ],
)
def test_wrong_bodies_are_400(api, owner, payload):
    response = api.as_(owner).post("/api/clients/", payload, format="json")
    assert response.status_code == 400
    assert not Client.objects.exists()


def test_lone_surrogate_is_400(api, owner):
    body = b'{"email": "a@example.com", "full_name": "lone \\ud800 surrogate"}'
    response = api.as_(owner).post("/api/clients/", body, content_type="application/json")
    assert response.status_code == 400
    assert "full_name" in response.json()


def test_broken_json_is_400(api, owner):
    response = api.as_(owner).post("/api/clients/", b"{not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("value", [HUGE, -1, 1.5, True, "1", None, {"id": 1}])
def test_odd_references_in_a_mailing_are_400(api, owner, value):
    response = api.as_(owner).post(
        "/api/mailings/",
        {"message": value, "clients": [value], "start_at": "2026-07-01T09:00:00Z", "periodicity": "once"},
        format="json",
    )
    assert response.status_code == 400
    assert {"message", "clients"} <= set(response.json())


def test_search_with_odd_characters(api, owner):
    ClientFactory(owner=owner)
    for text in ["%", "_", "\\", "'; drop table", "ü" * 50]:
        assert api.as_(owner).get("/api/clients/", {"search": text}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "run_at_before=8274-11-23T04:30:12-18:41",  # an offset the database refuses
        "attempted_at_after=9999-12-31T23:00:00-05:00",  # past year 9999 in UTC
        "run_at_after=0001-01-01T00:30:00+01:00",  # before year 1 in UTC
    ],
)
def test_extreme_times_in_filters_are_400_or_read_as_utc(api, owner, query):
    response = api.as_(owner).get(f"/api/attempts/?{query}")
    assert response.status_code in {200, 400}


def test_report_period_to_the_last_year_the_service_accepts(api, owner):
    MailingFactory(owner=owner)
    assert api.as_(owner).get("/api/reports/?period_before=2100-12-31").status_code == 200
