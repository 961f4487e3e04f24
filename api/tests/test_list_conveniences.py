"""The small things of the lists: filters say "Any", a mailing asks for a
client in words, dates read the same in a list and a detail, CSV exports open
in Excel, and a list's query goes onto its page's URL."""

import pytest

from core.tests.factories import ClientFactory, MailingFactory, MessageFactory

HX = {"HTTP_HX_REQUEST": "true"}


def test_empty_filters_say_any(client, owner, manager):
    client.force_login(owner)
    form = client.get("/api/mailings/", **HX).content.decode()
    assert form.count("selected>Any</option>") == 3  # status, periodicity, enabled
    assert "---------" not in form and "Unknown" not in form
    client.force_login(manager)
    assert client.get("/api/reports/", **HX).content.decode().count("selected>Any</option>") == 2  # status, owner


def test_a_mailing_without_clients_or_lists_asks_for_one(api, client, owner):
    message = MessageFactory(owner=owner)
    data = {"message": message.pk, "clients": [], "start_at": "2030-01-01T09:00:00Z"}
    answer = api.as_(owner).post("/api/mailings/", data, format="json")
    assert answer.status_code == 400 and answer.json()["clients"] == ["Choose at least one client or list."]
    del data["clients"]
    assert api.as_(owner).post("/api/mailings/", data, format="json").json()["clients"] == [
        "Choose at least one client or list."
    ]
    client.force_login(owner)
    form = client.post("/api/mailings/", {"message": message.pk, "start_at": "2030-01-01T09:00"}, **HX)
    assert form.status_code == 400 and "Choose at least one client or list." in form.content.decode()


def test_a_date_reads_the_same_in_the_list_and_the_detail(client, owner, time_machine):
    from datetime import UTC, datetime

    time_machine.move_to(datetime(2026, 3, 5, 14, 7, tzinfo=UTC))
    message = MessageFactory(owner=owner)
    client.force_login(owner)
    shown = "03/05/2026 3:07 p.m."  # the owner is in Berlin
    assert shown in client.get("/api/messages/", **HX).content.decode()
    assert shown in client.get(f"/api/messages/{message.pk}/", **HX).content.decode()


@pytest.mark.parametrize("url", ["/api/clients/export/", "/api/reports/export/"])
def test_csv_exports_start_with_a_byte_order_mark_for_excel_when_asked(api, owner, url):
    ClientFactory(owner=owner, full_name="Jörg Müller")
    MailingFactory(owner=owner)
    plain = api.as_(owner).get(url, HTTP_ACCEPT="text/csv").content
    excel = api.as_(owner).get(f"{url}?bom=1", HTTP_ACCEPT="text/csv").content
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert excel == b"\xef\xbb\xbf" + plain


def test_the_lists_offer_the_excel_download(client, owner):
    client.force_login(owner)
    assert "/api/clients/export/?bom=1" in client.get("/api/clients/", **HX).content.decode()
    assert "/api/reports/export/?bom=1" in client.get("/api/reports/", **HX).content.decode()


def test_a_pages_list_puts_its_query_on_the_pages_url(client, owner):
    client.force_login(owner)
    on_page = {"HTTP_X_PAGE_PATH": "/clients/", **HX}
    moved = client.get("/api/clients/?search=ann&page=1", **on_page)
    assert moved["HX-Push-Url"] == "/clients/?search=ann&page=1"
    reloaded = client.get("/api/clients/?search=ann", HTTP_HX_TRIGGER="clients-list", **on_page)
    assert reloaded["HX-Replace-Url"] == "/clients/?search=ann" and "HX-Push-Url" not in reloaded
    assert "HX-Push-Url" not in client.get("/api/clients/?search=ann", **HX)  # not a page's content
    assert "HX-Push-Url" not in client.get("/api/clients/", HTTP_X_PAGE_PATH="//elsewhere.example/", **HX)

    ClientFactory(owner=owner, email="ann@example.com", full_name="Ann Lee")
    ClientFactory(owner=owner, email="bob@example.com", full_name="Bob Stone")  # a random name may hold "ann"
    page = client.get("/clients/?search=ann").content.decode()
    assert "ann@example.com" in page and "bob@example.com" not in page
