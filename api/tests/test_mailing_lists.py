"""A mailing sent to lists, through the API and the HTML fragments: lists
accepted beside clients, at least one of the two, another owner's lists
refused by name, and the mailing's page saying how many the next run reaches."""

from api.tests.conftest import HX
from core.models import ClientList, Mailing
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory


def make_list(owner, name, clients=()):
    client_list = ClientList.objects.create(owner=owner, name=name)
    client_list.clients.set(clients)
    return client_list


def body(message, **extra):
    return {"message": message.pk, "start_at": "2030-07-01T09:00:00+02:00", "periodicity": "weekly", **extra}


def test_a_mailing_to_a_list_only(api, owner):
    readers = make_list(owner, "Readers", ClientFactory.create_batch(3, owner=owner))
    response = api.as_(owner).post(
        "/api/mailings/", body(MessageFactory(owner=owner), lists=[readers.pk]), format="json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["lists"], data["clients"], data["lists_count"], data["clients_count"]) == ([readers.pk], [], 1, 0)
    assert data["next_run_reach"] == 3
    assert list(Mailing.objects.get(pk=data["id"]).lists.all()) == [readers]


def test_lists_and_clients_together_count_each_client_once(api, owner):
    ann, bob, cid = ClientFactory.create_batch(3, owner=owner)
    first, second = make_list(owner, "First", [ann, bob]), make_list(owner, "Second", [bob])
    message = MessageFactory(owner=owner)
    created = api.as_(owner).post(
        "/api/mailings/", body(message, clients=[ann.pk, cid.pk], lists=[first.pk, second.pk]), format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["next_run_reach"] == 3
    listed = api.as_(owner).get("/api/mailings/").json()["results"][0]
    assert (listed["clients_count"], listed["lists_count"]) == (2, 2)


def test_neither_clients_nor_lists_is_refused_on_create_and_on_change(api, owner):
    message = MessageFactory(owner=owner)
    client = api.as_(owner)
    for extra in ({}, {"clients": [], "lists": []}):
        answer = client.post("/api/mailings/", body(message, **extra), format="json")
        assert answer.status_code == 400 and answer.json() == {"clients": ["Choose at least one client or list."]}
    readers = make_list(owner, "Readers", [ClientFactory(owner=owner)])
    mailing = MailingFactory(owner=owner, clients=[ClientFactory(owner=owner)])
    assert (
        client.patch(f"/api/mailings/{mailing.pk}/", {"lists": [readers.pk], "clients": []}, format="json").status_code
        == 200
    )
    emptied = client.patch(f"/api/mailings/{mailing.pk}/", {"lists": []}, format="json")
    assert emptied.status_code == 400 and emptied.json() == {"clients": ["Choose at least one client or list."]}
    assert list(Mailing.objects.get(pk=mailing.pk).lists.all()) == [readers]


def test_another_owners_list_is_refused_and_nothing_is_saved(api, owner, other_user):
    theirs = make_list(other_user, "Theirs", [ClientFactory(owner=other_user)])
    mine = ClientFactory(owner=owner)
    message = MessageFactory(owner=owner)
    answer = api.as_(owner).post("/api/mailings/", body(message, clients=[mine.pk], lists=[theirs.pk]), format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["lists"]
    assert not Mailing.objects.exists()
    bad = api.as_(owner).post("/api/mailings/", body(message, lists=["x", 0]), format="json")
    assert bad.status_code == 400 and "lists" in bad.json()


def test_an_admin_may_not_send_one_owners_mailing_to_another_owners_list(api, owner, other_user, admin_user):
    theirs = make_list(other_user, "Theirs", [ClientFactory(owner=other_user)])
    mailing = MailingFactory(owner=owner, clients=[ClientFactory(owner=owner)])
    answer = api.as_(admin_user).patch(f"/api/mailings/{mailing.pk}/", {"lists": [theirs.pk]}, format="json")
    assert answer.status_code == 400 and answer.json() == {"lists": ["Choose only your own lists."]}


def test_the_form_offers_own_lists_and_the_page_says_whom_the_next_run_reaches(client, owner, other_user):
    ann, bob = ClientFactory(owner=owner), ClientFactory(owner=owner)
    bob.unsubscribed_at = bob.created_at
    bob.save()
    readers = make_list(owner, "Readers", [ann, bob])
    make_list(other_user, "Someone else's list")
    client.force_login(owner)
    form = client.get("/api/mailings/form/", **HX).content.decode()
    assert 'name="lists"' in form and f'<option value="{readers.pk}">Readers</option>' in form
    assert "Someone else" not in form
    created = client.post(
        "/api/mailings/",
        {"message": MessageFactory(owner=owner).pk, "lists": [readers.pk], "start_at": "2030-01-01T09:00"},
        **HX,
    )
    assert created.status_code == 201, created.content.decode()
    mailing = Mailing.objects.get()
    page = client.get(f"/mailings/{mailing.pk}/").content.decode()
    assert "The next run will reach 1 client." in page
    assert "1 more, unsubscribed or suppressed, will be skipped." in page
    assert "Readers (2)" in page
    edit = client.get(f"/api/mailings/{mailing.pk}/form/", **HX).content.decode()
    assert f'<option value="{readers.pk}" selected>Readers</option>' in edit


def test_a_body_that_is_not_an_object_is_a_400(api, owner):
    for data in ([None, None], "text", 5):
        answer = api.as_(owner).post("/api/mailings/", data, format="json")
        assert answer.status_code == 400


def test_the_mailings_list_counts_a_mailings_lists_beside_its_clients(client, owner):
    readers = make_list(owner, "Readers", [ClientFactory(owner=owner)])
    mailing = MailingFactory(owner=owner, clients=[ClientFactory(owner=owner)])
    mailing.lists.set([readers])
    client.force_login(owner)
    html = client.get("/api/mailings/", **HX).content.decode()
    assert "+ 1 list" in html
