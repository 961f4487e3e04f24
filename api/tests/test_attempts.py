"""Attempts: read only, filtered by mailing, client, status and time."""

from datetime import UTC, datetime, timedelta

import pytest

from core.models import Attempt
from core.tests.factories import ClientFactory, MailingFactory

T0 = datetime(2026, 5, 1, 9, tzinfo=UTC)


@pytest.fixture
def attempts(owner):
    ann, bob = ClientFactory(owner=owner, email="ann@example.com"), ClientFactory(owner=owner, email="bob@example.com")
    first = MailingFactory(owner=owner, clients=[ann, bob])
    second = MailingFactory(owner=owner, clients=[ann])
    return {
        "ann1": Attempt.objects.create(mailing=first, client=ann, run_at=T0, status="success", attempted_at=T0),
        "bob1": Attempt.objects.create(
            mailing=first,
            client=bob,
            run_at=T0,
            status="failure",
            attempted_at=T0,
            smtp_code=550,
            server_response="550 no such user",
        ),
        "ann2": Attempt.objects.create(mailing=second, client=ann, run_at=T0 + timedelta(days=2)),
    }


def ids(api, owner, query):
    response = api.as_(owner).get(f"/api/attempts/?{query}")
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_filters(api, owner, attempts):
    a = attempts
    assert ids(api, owner, f"mailing={a['ann1'].mailing_id}") == {a["ann1"].pk, a["bob1"].pk}
    assert ids(api, owner, f"client={a['ann1'].client_id}") == {a["ann1"].pk, a["ann2"].pk}
    assert ids(api, owner, "status=failure") == {a["bob1"].pk}
    assert ids(api, owner, "run_at_after=2026-05-02T00:00:00Z") == {a["ann2"].pk}
    assert ids(api, owner, "attempted_at_before=2026-05-01T10:00:00Z") == {a["ann1"].pk, a["bob1"].pk}


def test_detail_carries_the_server_reply(api, owner, attempts):
    body = api.as_(owner).get(f"/api/attempts/{attempts['bob1'].pk}/").json()
    assert body["smtp_code"] == 550 and body["server_response"] == "550 no such user"
    assert body["client_email"] == "bob@example.com"


def test_attempts_are_read_only(api, owner, attempts):
    client = api.as_(owner)
    assert client.post("/api/attempts/", {}, format="json").status_code == 405
    assert client.delete(f"/api/attempts/{attempts['ann1'].pk}/").status_code == 405


@pytest.mark.parametrize("query", ["mailing=abc", "mailing=1.5", "run_at_after=yesterday", "status=lost", "client=-1"])
def test_bad_filters_are_400(api, owner, attempts, query):
    assert api.as_(owner).get(f"/api/attempts/?{query}").status_code == 400


def test_fragments(page, owner, attempts):
    page.as_(owner)
    html = page.get("/api/attempts/", {"status": "failure"}).content.decode()
    assert "bob@example.com" in html and "ann@example.com" not in html
    assert 'name="status"' in html
    detail = page.get(f"/api/attempts/{attempts['bob1'].pk}/").content.decode()
    assert "550 no such user" in detail


def test_the_filter_chooses_a_client_by_name_and_submits_its_id(page, owner, attempts):
    ann = attempts["ann1"].client
    html = page.as_(owner).get("/api/attempts/", {"client": ann.pk, "client_search": "ann"}).content.decode()
    # the client's name is typed into a search-as-you-type choice fed by the clients list
    assert 'data-combobox="/api/clients/"' in html and 'data-combobox-value="id_filter_client"' in html
    assert 'data-combobox-fields="full_name email"' in html
    # the chosen id travels in the filter form, with the name shown
    assert f'<input type="hidden" name="client" value="{ann.pk}"' in html
    assert 'name="client_search" value="ann"' in html
    assert "bob@example.com" not in html
