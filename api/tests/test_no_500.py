"""Inputs that used to answer 500 (issue 14): times beyond any schedule, report
periods from year 1, htmx headers on downloads, htmx posts of odd JSON, lone
surrogates, a mailing without a periodicity. Each is a 400 with a message, or
simply works."""

import json

import pytest

from api.tests.conftest import HX
from core.models import Client, Mailing, Periodicity
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory

OUT_OF_RANGE = "Enter a date between the years 2000 and 2100."


def mailing_body(owner, **fields):
    body = {
        "message": MessageFactory(owner=owner).pk,
        "clients": [ClientFactory(owner=owner).pk],
        "start_at": "2026-07-01T09:00:00+00:00",
        "periodicity": "weekly",
    }
    return {**body, **fields}


@pytest.mark.parametrize(
    "fields",
    [
        {"end_at": "9999-12-31T23:59:59+00:00"},
        {"start_at": "0001-01-01T00:00:00+00:00"},
        {"start_at": "1999-12-31T23:59:59+00:00"},
        {"end_at": "2101-01-01T00:00:00+00:00"},
    ],
)
def test_mailing_times_beyond_the_service_years_are_400(api, owner, fields):
    response = api.as_(owner).post("/api/mailings/", mailing_body(owner, **fields), format="json")
    assert response.status_code == 400
    assert response.json() == {name: [OUT_OF_RANGE] for name in fields}
    assert not Mailing.objects.exists()


def test_mailing_times_at_the_edges_of_the_service_years_are_kept(api, owner):
    body = mailing_body(owner, start_at="2000-01-01T00:00:00+00:00", end_at="2100-12-31T23:59:59+00:00")
    assert api.as_(owner).post("/api/mailings/", body, format="json").status_code == 201


def test_a_far_end_on_our_form_is_shown_next_to_its_field(page, owner):
    body = mailing_body(owner, start_at="2026-07-01T09:00", end_at="9999-12-31T23:59")
    response = page.as_(owner).post("/api/mailings/", body)
    assert response.status_code == 400
    assert OUT_OF_RANGE in response.content.decode()
    assert not Mailing.objects.exists()


def test_a_far_time_in_resend_failed_is_400(api, owner):
    mailing = MailingFactory(owner=owner)
    response = api.as_(owner).post(
        f"/api/mailings/{mailing.pk}/resend-failed/", {"run_at": "9999-12-31T23:59:59Z"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"run_at": [OUT_OF_RANGE]}


def test_mailing_without_periodicity_is_sent_once(api, owner):
    body = mailing_body(owner)
    del body["periodicity"]
    response = api.as_(owner).post("/api/mailings/", body, format="json")
    assert response.status_code == 201
    assert response.json()["periodicity"] == "once"
    assert Mailing.objects.get().periodicity == Periodicity.ONCE


@pytest.mark.parametrize(
    "query",
    ["start_at_after=0001-01-01T00:00:00Z", "start_at_before=9999-12-31T23:59:59Z"],
)
def test_far_times_in_list_filters_are_400(api, owner, query):
    MailingFactory(owner=owner)
    response = api.as_(owner).get(f"/api/mailings/?{query}")
    assert response.status_code == 400
    assert response.json() == {"start_at": [OUT_OF_RANGE]}


@pytest.mark.parametrize("path", ["/api/reports/", "/api/reports/daily/", "/api/reports/{pk}/", "/api/reports/export/"])
@pytest.mark.parametrize("query", ["period_after=0001-01-01", "period_before=9999-12-31"])
def test_report_periods_beyond_the_service_years_are_400(api, owner, path, query):
    mailing = MailingFactory(owner=owner)
    response = api.as_(owner).get(path.format(pk=mailing.pk) + "?" + query)
    assert response.status_code == 400
    assert OUT_OF_RANGE in response.content.decode()


def test_report_period_to_the_end_of_the_service_years(api, owner):
    MailingFactory(owner=owner)
    assert api.as_(owner).get("/api/reports/?period_after=2000-01-01&period_before=2100-12-31").status_code == 200


@pytest.mark.parametrize(("path", "header"), [("/api/clients/export/", "email"), ("/api/reports/export/", "mailing")])
def test_exports_are_csv_for_htmx_requests_too(page, owner, path, header):
    ClientFactory(owner=owner)
    MailingFactory(owner=owner)
    response = page.as_(owner).get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith(header + ",")


@pytest.mark.parametrize("body", [b"[]", b"[1, 2]", b'"just a string"', b"42"])
def test_htmx_post_of_a_json_list_or_string_gets_the_form_back(client, owner, body):
    client.force_login(owner)
    response = client.post("/api/clients/", body, content_type="application/json", **HX)
    assert response.status_code == 400
    assert 'id="clients-form"' in response.content.decode()
    assert not Client.objects.exists()


def test_lone_surrogate_in_an_htmx_post_gets_the_form_back(client, owner):
    client.force_login(owner)
    body = b'{"email": "a@example.com", "full_name": "lone \\ud800 surrogate"}'
    response = client.post("/api/clients/", body, content_type="application/json", **HX)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="clients-form"' in html
    assert "lone ? surrogate" in html
    assert not Client.objects.exists()


def test_lone_surrogate_echoed_in_a_json_error_is_escaped(api, owner):
    body = b'{"\\ud800": 1, "email": "a@example.com", "full_name": "x"}'  # named back as an unknown field
    response = api.as_(owner).post("/api/clients/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.content.isascii()
    assert response.json()
    assert not Client.objects.exists()


def test_lone_surrogate_as_a_choice_is_400(api, owner):
    body = json.dumps(mailing_body(owner, periodicity="\ud800"))  # sent as the escape \ud800
    response = api.as_(owner).post("/api/mailings/", body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["periodicity"]
