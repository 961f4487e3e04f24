"""Exporting the chosen clients from the clients page's bulk bar: the rows
chosen, or every client the filters select, as CSV with the columns of the
whole export — the reader's own clients only."""

import csv
import io

import pytest

from api.tests.conftest import HX
from api.tests.test_client_bulk import people  # noqa: F401 - ann, bob, cid @example.com and zed@other.org
from core.models import ClientList
from core.tests.factories import ClientFactory

URL = "/api/clients/bulk/export/"


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_chosen_clients_as_csv_with_the_exports_columns(api, owner, people):  # noqa: F811
    chosen = [people["bob"].pk, people["zed"].pk]
    response = api.as_(owner).post(URL, {"clients": chosen}, format="json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    whole = rows(api.as_(owner).get("/api/clients/export/"))
    assert rows(response)[0] == whole[0] == ["email", "full_name", "comment"]
    assert rows(response)[1:] == [
        ["bob@example.com", "Bob", people["bob"].comment],
        ["zed@other.org", "Zed", people["zed"].comment],
    ]


def test_all_matching_follows_the_filters_and_stays_with_the_owners_clients(api, owner, other_user, people):  # noqa: F811
    ClientFactory(owner=other_user, email="theirs@example.com")
    news = ClientList.objects.create(owner=owner, name="News")
    news.clients.set([people["ann"], people["cid"], people["zed"]])
    response = api.as_(owner).post(f"{URL}?search=example.com&list={news.pk}", {"all_matching": True}, format="json")
    assert response.status_code == 200
    assert [row[0] for row in rows(response)[1:]] == ["ann@example.com", "cid@example.com"]
    everything = api.as_(owner).post(f"{URL}?search=example.com", {"all_matching": True}, format="json")
    assert [row[0] for row in rows(everything)[1:]] == ["ann@example.com", "bob@example.com", "cid@example.com"]


def test_another_owners_id_refuses_the_whole_export(api, owner, other_user, people):  # noqa: F811
    theirs = ClientFactory(owner=other_user, email="theirs@example.com")
    response = api.as_(owner).post(URL, {"clients": [people["ann"].pk, theirs.pk]}, format="json")
    assert response.status_code == 400
    assert "theirs@example.com" not in response.content.decode()
    assert rows(response) == [
        ["field", "message"],
        ["clients", f"Choose only your own clients: {theirs.pk} is not one of them."],
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "clients"), ({"clients": ["x"]}, "clients"), ({"clients": [1], "action": "delete"}, "action")],
    ids=["nothing-chosen", "not-an-id", "unknown-field"],
)
def test_bad_bodies_are_field_errors(api, owner, people, body, field):  # noqa: F811
    response = api.as_(owner).post(URL, body, format="json")
    assert response.status_code == 400
    assert [row[0] for row in rows(response)[1:]] == [field]


def test_the_clients_page_offers_export_in_the_bulk_bar_and_the_form_post_downloads(client, owner, people):  # noqa: F811
    client.force_login(owner)
    html = client.get("/api/clients/", **HX).content.decode()
    assert 'id="clients-export" method="post" action="/api/clients/bulk/export/"' in html
    assert 'form="clients-export"' in html and "csrfmiddlewaretoken" in html
    response = client.post(URL, {"clients": [str(people["cid"].pk)]})  # what the page's form sends
    assert response.status_code == 200
    assert [row[0] for row in rows(response)[1:]] == ["cid@example.com"]
