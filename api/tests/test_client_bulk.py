"""Acting on many clients at once: add to a list, take off a list, delete —
the chosen ids or every client the filters select, in one request and one
transaction, never touching another owner's clients or lists."""

import pytest

from api.tests.conftest import triggers
from core.models import Attempt, Client, ClientList, ListMember
from core.tests.factories import ClientFactory, MailingFactory

URL = "/api/clients/bulk/"


def make_list(owner, name="News", clients=()):
    client_list = ClientList.objects.create(owner=owner, name=name)
    client_list.clients.set(clients)
    return client_list


@pytest.fixture
def people(owner):
    return {
        name: ClientFactory(owner=owner, email=f"{name}@example.com", full_name=name.title())
        for name in ("ann", "bob", "cid")
    } | {"zed": ClientFactory(owner=owner, email="zed@other.org", full_name="Zed")}


def test_chosen_clients_go_on_a_list_and_come_off_it(api, owner, people):
    news = make_list(owner, clients=[people["ann"]])
    client = api.as_(owner)
    ids = [people["ann"].pk, people["bob"].pk]
    added = client.post(URL, {"action": "add_to_list", "list": news.pk, "clients": ids}, format="json")
    assert added.status_code == 200, added.json()
    assert added.json() == {"action": "add_to_list", "selected": 2, "changed": 1, "refused": []}
    removed = client.post(URL, {"action": "remove_from_list", "list": news.pk, "clients": ids}, format="json")
    assert removed.json()["changed"] == 2
    assert not news.clients.exists()


def test_all_matching_follows_the_search_and_list_filters(api, owner, people):
    vip = make_list(owner, "VIP", [people["bob"], people["zed"]])
    news = make_list(owner, "News")
    client = api.as_(owner)
    answer = client.post(f"{URL}?search=example.com", {"action": "add_to_list", "list": news.pk, "all_matching": True})
    assert answer.json()["selected"] == 3
    assert set(news.clients.values_list("email", flat=True)) == {
        "ann@example.com",
        "bob@example.com",
        "cid@example.com",
    }
    off = client.post(
        f"{URL}?list={vip.pk}", {"action": "remove_from_list", "list": news.pk, "all_matching": True}, format="json"
    )
    assert (off.json()["selected"], off.json()["changed"]) == (2, 1)  # bob and zed chosen; only bob was on News


def test_delete_deletes_the_free_ones_and_names_those_a_mailing_uses(api, owner, people):
    mailing = MailingFactory(owner=owner, clients=[people["ann"]])
    Attempt.objects.create(mailing=mailing, client=people["bob"], run_at=mailing.start_at)  # history only
    make_list(owner, clients=[people["cid"]])
    answer = api.as_(owner).post(URL, {"action": "delete", "all_matching": True}, format="json")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["selected"], body["changed"]) == (4, 2)
    assert [c["email"] for c in body["refused"]] == ["ann@example.com", "bob@example.com"]
    assert set(Client.objects.values_list("email", flat=True)) == {"ann@example.com", "bob@example.com"}
    assert not ListMember.objects.exists()  # cid went with his membership


def test_another_owners_clients_or_lists_refuse_the_whole_request(api, owner, other_user, people):
    theirs = ClientFactory(owner=other_user)
    their_list = make_list(other_user, "Theirs", [theirs])
    news = make_list(owner)
    client = api.as_(owner)
    mixed = client.post(
        URL, {"action": "add_to_list", "list": news.pk, "clients": [people["ann"].pk, theirs.pk]}, format="json"
    )
    assert (
        mixed.status_code == 400 and list(mixed.json()) == ["clients"] and str(theirs.pk) in mixed.json()["clients"][0]
    )
    deleting = client.post(URL, {"action": "delete", "clients": [people["ann"].pk, theirs.pk]}, format="json")
    assert deleting.status_code == 400
    to_their_list = client.post(
        URL, {"action": "add_to_list", "list": their_list.pk, "all_matching": True}, format="json"
    )
    assert to_their_list.status_code == 400 and list(to_their_list.json()) == ["list"]
    # all matching never reaches past the owner's own clients
    everyone = client.post(URL, {"action": "delete", "all_matching": True}, format="json")
    assert everyone.json()["changed"] == 4
    assert Client.objects.filter(pk=theirs.pk).exists() and news.clients.count() == 0
    assert list(their_list.clients.all()) == [theirs]
    assert not ListMember.objects.filter(client_list=news).exists()


def test_an_admin_cannot_put_one_owners_clients_on_anothers_list(api, owner, other_user, admin_user, people):
    their_list = make_list(other_user, "Theirs")
    answer = api.as_(admin_user).post(
        URL, {"action": "add_to_list", "list": their_list.pk, "clients": [people["ann"].pk]}, format="json"
    )
    assert answer.status_code == 400 and "clients" in answer.json()
    assert not their_list.clients.exists()


def test_bodies_are_checked_field_by_field(api, owner, people):
    client = api.as_(owner)
    assert client.post(URL, {}, format="json").json().keys() == {"action"}
    nothing = client.post(URL, {"action": "add_to_list"}, format="json")
    assert nothing.status_code == 400 and set(nothing.json()) == {"clients", "list"}
    assert set(client.post(URL, {"action": "explode", "all_matching": True}, format="json").json()) == {"action"}
    assert set(client.post(URL, {"action": "delete", "clients": [people["ann"].pk], "x": 1}, format="json").json()) == {
        "x"
    }
    assert client.post(f"{URL}?list=abc", {"action": "delete", "all_matching": True}, format="json").status_code == 400
    assert Client.objects.count() == 4


def test_anonymous_is_refused(api, db):
    assert api.post(URL, {"action": "delete", "all_matching": True}, format="json").status_code == 401


# The HTML face


def test_the_list_offers_the_bulk_form_and_its_answer_is_a_toast(page, owner, people):
    news = make_list(owner)
    page.as_(owner)
    html = page.get("/api/clients/", {"search": "example"}).content.decode()
    assert 'id="clients-bulk"' in html and f'<option value="{news.pk}">News</option>' in html
    assert 'hx-post="/api/clients/bulk/?search=example"' in html
    assert f'name="clients" value="{people["ann"].pk}" form="clients-bulk"' in html
    assert "All 3 matching" in html
    answer = page.post(
        "/api/clients/bulk/?search=example", {"action": "add_to_list", "list": news.pk, "all_matching": "true"}
    )
    assert answer.status_code == 200
    assert triggers(answer)["showToast"]["message"] == "3 clients added to the list."
    assert "clients-changed" in triggers(answer)
    refused = page.post("/api/clients/bulk/", {"action": "add_to_list", "all_matching": "true"})
    assert refused.status_code == 400 and "Choose the list." in refused.content.decode()


def test_a_bulk_delete_toast_names_the_clients_in_use(page, owner, people):
    MailingFactory(owner=owner, clients=[people["ann"]])
    answer = page.as_(owner).post(
        "/api/clients/bulk/", {"action": "delete", "clients": [people["ann"].pk, people["bob"].pk]}
    )
    assert triggers(answer)["showToast"]["message"] == (
        "1 client deleted. Not deleted, a mailing uses it: ann@example.com."
    )


def test_refusals_are_in_russian_for_a_russian_reader(api, owner, other_user, people):
    owner.language = "ru"
    owner.save()
    theirs = ClientFactory(owner=other_user)
    answer = api.as_(owner).post(
        URL, {"action": "delete", "clients": [theirs.pk, theirs.pk + 1000]}, format="json", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert answer.json()["clients"][0].startswith("Выбирайте только своих клиентов")
