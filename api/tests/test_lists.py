"""Lists through the API and the HTML fragments: CRUD, a name unique per owner
(ignoring case), membership added and removed all or nothing with the owner's
own clients only, a client's lists on its row and the clients filtered by list."""

from api.tests.conftest import triggers
from core.models import Client, ClientList, ListMember
from core.tests.factories import ClientFactory, MailingFactory


def make_list(owner, name="Newsletter", clients=()):
    client_list = ClientList.objects.create(owner=owner, name=name)
    client_list.clients.set(clients)
    return client_list


def test_owner_creates_reads_changes_and_deletes_a_list(api, owner):
    client = api.as_(owner)
    created = client.post("/api/lists/", {"name": "Newsletter", "description": "Monthly news"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["name"] == "Newsletter" and body["clients_count"] == 0
    pk = body["id"]
    assert ClientList.objects.get(pk=pk).owner == owner
    assert [row["name"] for row in client.get("/api/lists/").json()["results"]] == ["Newsletter"]
    assert client.patch(f"/api/lists/{pk}/", {"name": "News"}, format="json").json()["name"] == "News"
    assert client.delete(f"/api/lists/{pk}/").status_code == 204
    assert not ClientList.objects.filter(pk=pk).exists()


def test_name_is_unique_per_owner_ignoring_case_and_required(api, owner, other_user):
    make_list(owner, "Newsletter")
    make_list(other_user, "VIP")
    client = api.as_(owner)
    duplicate = client.post("/api/lists/", {"name": "NEWSLETTER"}, format="json")
    assert duplicate.status_code == 400
    assert duplicate.json() == {"name": ["You already have a list with this name."]}
    assert client.post("/api/lists/", {"name": "VIP"}, format="json").status_code == 201  # another owner's name
    missing = client.post("/api/lists/", {"description": "x", "colour": "red"}, format="json")
    assert missing.status_code == 400 and set(missing.json()) == {"name", "colour"}
    blank = client.post("/api/lists/", {"name": "   "}, format="json")
    assert blank.status_code == 400 and "name" in blank.json()


def test_search_and_ordering_by_size(api, owner):
    big = make_list(owner, "Big", ClientFactory.create_batch(3, owner=owner))
    make_list(owner, "Small", ClientFactory.create_batch(1, owner=owner))
    client = api.as_(owner)
    assert [r["name"] for r in client.get("/api/lists/", {"ordering": "-clients_count"}).json()["results"]] == [
        "Big",
        "Small",
    ]
    assert [r["id"] for r in client.get("/api/lists/", {"search": "bi"}).json()["results"]] == [big.pk]


def test_adding_and_removing_clients(api, owner):
    ann, bob, cid = ClientFactory.create_batch(3, owner=owner)
    news = make_list(owner, clients=[ann])
    client = api.as_(owner)
    added = client.post(f"/api/lists/{news.pk}/clients/", {"clients": [ann.pk, bob.pk, cid.pk]}, format="json")
    assert added.status_code == 200, added.json()
    assert added.json() == {"changed": 2, "clients_count": 3}  # Ann was on it already
    removed = client.delete(f"/api/lists/{news.pk}/clients/", {"clients": [bob.pk]}, format="json")
    assert removed.json() == {"changed": 1, "clients_count": 2}
    by_query = client.delete(f"/api/lists/{news.pk}/clients/?clients={cid.pk}")
    assert by_query.json() == {"changed": 1, "clients_count": 1}
    assert set(news.clients.values_list("pk", flat=True)) == {ann.pk}
    assert Client.objects.filter(pk__in=[bob.pk, cid.pk]).count() == 2  # taken off the list, not deleted


def test_another_owners_clients_are_refused_and_nothing_changes(api, owner, other_user):
    mine = ClientFactory(owner=owner)
    theirs = ClientFactory(owner=other_user)
    news = make_list(owner)
    client = api.as_(owner)
    response = client.post(f"/api/lists/{news.pk}/clients/", {"clients": [mine.pk, theirs.pk]}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["clients"]
    assert str(theirs.pk) in response.json()["clients"][0]
    assert not ListMember.objects.exists()
    their_list = make_list(other_user, clients=[theirs])
    removing = client.delete(f"/api/lists/{news.pk}/clients/", {"clients": [theirs.pk]}, format="json")
    assert removing.status_code == 400
    assert ListMember.objects.filter(client_list=their_list, client=theirs).exists()


def test_membership_bodies_are_checked_field_by_field(api, owner):
    news = make_list(owner)
    ann = ClientFactory(owner=owner)
    client = api.as_(owner)
    url = f"/api/lists/{news.pk}/clients/"
    assert client.post(url, {}, format="json").json() == {"clients": ["Choose at least one client."]}
    assert client.post(url, {"clients": []}, format="json").json() == {"clients": ["Choose at least one client."]}
    assert client.post(url, {"clients": [ann.pk, "x"]}, format="json").json() == {
        "clients": ["Item 2: A valid integer is required."]  # a flat list of messages, as every field's
    }
    assert client.post(url, {"clients": [0]}, format="json").status_code == 400
    assert set(client.post(url, {"clients": [ann.pk], "list": 2}, format="json").json()) == {"list"}
    assert not news.clients.exists()


def test_another_owners_list_is_a_404_for_every_action(api, owner, other_user):
    theirs = make_list(other_user, clients=[ClientFactory(owner=other_user)])
    mine = ClientFactory(owner=owner)
    client = api.as_(owner)
    url = f"/api/lists/{theirs.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"name": "Mine"}, format="json").status_code == 404
    assert client.delete(url).status_code == 404
    assert client.post(f"{url}clients/", {"clients": [mine.pk]}, format="json").status_code == 404
    assert client.delete(f"{url}clients/", {"clients": [mine.pk]}, format="json").status_code == 404
    assert client.get("/api/lists/").json()["results"] == []
    assert ClientList.objects.get(pk=theirs.pk).name == "Newsletter"


def test_a_list_a_mailing_is_sent_to_is_not_deleted(api, owner):
    news = make_list(owner)
    mailing = MailingFactory(owner=owner, clients=[ClientFactory(owner=owner)])
    mailing.lists.set([news])
    response = api.as_(owner).delete(f"/api/lists/{news.pk}/")
    assert response.status_code == 409
    assert "is sent to this list" in response.json()["detail"]
    assert ClientList.objects.filter(pk=news.pk).exists()


def test_deleting_a_list_keeps_its_clients_and_a_client_on_a_list_can_be_deleted(api, owner):
    ann, bob = ClientFactory.create_batch(2, owner=owner)
    news = make_list(owner, clients=[ann, bob])
    client = api.as_(owner)
    assert client.delete(f"/api/clients/{ann.pk}/").status_code == 204
    assert list(news.clients.all()) == [bob]
    assert client.delete(f"/api/lists/{news.pk}/").status_code == 204
    assert Client.objects.filter(pk=bob.pk).exists()


def test_clients_show_their_lists_and_filter_by_list(api, owner, other_user):
    ann, bob = ClientFactory.create_batch(2, owner=owner)
    news = make_list(owner, "News", [ann])
    vip = make_list(owner, "VIP", [ann, bob])
    theirs = make_list(other_user, "Theirs")
    client = api.as_(owner)
    rows = {row["id"]: row["lists"] for row in client.get("/api/clients/").json()["results"]}
    assert rows == {ann.pk: [news.pk, vip.pk], bob.pk: [vip.pk]}
    assert [r["id"] for r in client.get("/api/clients/", {"list": news.pk}).json()["results"]] == [ann.pk]
    assert client.get(f"/api/clients/{bob.pk}/").json()["lists"] == [vip.pk]
    refused = client.get("/api/clients/", {"list": theirs.pk})
    assert refused.status_code == 400 and list(refused.json()) == ["list"]
    assert client.get("/api/clients/export/", {"list": news.pk}).content.decode().count("@") == 1


# The HTML face


def test_list_fragment_and_form_create_a_list(page, owner):
    make_list(owner, "Existing")
    page.as_(owner)
    html = page.get("/api/lists/").content.decode()
    assert 'id="lists-list"' in html and "Existing" in html and "ordering=name" in html
    form = page.get("/api/lists/form/").content.decode()
    assert 'hx-post="/api/lists/"' in form and 'id="id_name"' in form and 'id="id_description"' in form
    response = page.post("/api/lists/", {"name": "Fresh", "description": ""})
    assert response.status_code == 201
    assert "Fresh" in response.content.decode()
    assert "lists-changed" in triggers(response)


def test_invalid_list_form_comes_back_with_messages(page, owner):
    make_list(owner, "Existing")
    response = page.as_(owner).post("/api/lists/", {"name": "existing", "description": "typed"})
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#lists-form"
    html = response.content.decode()
    assert "You already have a list with this name." in html and "typed" in html
    assert ClientList.objects.count() == 1


def test_detail_adds_and_takes_off_clients(page, owner, other_user):
    ann, bob = ClientFactory(owner=owner, email="ann@example.com"), ClientFactory(owner=owner, email="bob@example.com")
    theirs = ClientFactory(owner=other_user, email="theirs@example.com")
    news = make_list(owner, clients=[ann])
    page.as_(owner)
    detail = page.get(f"/api/lists/{news.pk}/").content.decode()
    assert f'hx-post="/api/lists/{news.pk}/clients/"' in detail
    # whom to add is searched for with the picker, not listed: only the members are named
    assert "data-client-picker" in detail and "ann@example.com" in detail and "bob@example.com" not in detail
    assert "theirs@example.com" not in detail
    added = page.post(f"/api/lists/{news.pk}/clients/", {"clients": [bob.pk]})
    assert added.status_code == 200
    assert f'id="list-{news.pk}-detail"' in added.content.decode() and "bob@example.com" in added.content.decode()
    assert triggers(added)["showToast"]["message"] == "1 client added to the list."
    refused = page.post(f"/api/lists/{news.pk}/clients/", {"clients": [theirs.pk]})
    assert refused.status_code == 400
    assert "Choose only your own clients" in refused.content.decode()
    removed = page.delete(f"/api/lists/{news.pk}/clients/?clients={ann.pk}")
    assert removed.status_code == 200
    assert set(news.clients.all()) == {bob}


def test_client_rows_name_their_lists_and_the_filter_offers_own_lists(page, owner, other_user):
    ann = ClientFactory(owner=owner)
    make_list(owner, "Weekly readers", [ann])
    make_list(other_user, "Someone else's")
    html = page.as_(owner).get("/api/clients/").content.decode()
    assert "Weekly readers" in html
    assert 'name="list"' in html and "Someone else&#x27;s" not in html and "Someone else's" not in html


def test_without_lists_the_clients_page_offers_no_list_filter_but_a_list_asked_for_is_checked(
    page, api, owner, other_user
):
    ClientFactory(owner=owner)
    theirs = make_list(other_user, "Theirs")
    html = page.as_(owner).get("/api/clients/").content.decode()
    assert 'name="list"' not in html  # neither a filter nor a list to act on
    assert 'value="delete"' in html and 'value="add_to_list"' not in html
    refused = api.as_(owner).get("/api/clients/", {"list": theirs.pk})
    assert refused.status_code == 400 and list(refused.json()) == ["list"]
