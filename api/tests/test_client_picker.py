"""The server-side client picker: clients chosen by a filter ("all matching",
`clients_matching`) are read by the server, the owner's own only; the mailing
form stays small whatever the number of clients; the clients API pages a
search in a fixed number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.tests.conftest import triggers
from core.models import Client, ClientList, Mailing, MailingRecipient
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory

FORM_LIMIT = 50_000  # bytes


def many_clients(owner, n, *, domain="example.com"):
    Client.objects.bulk_create(
        Client(owner=owner, email=f"client{i:06d}@{domain}", full_name=f"Client {i}") for i in range(n)
    )
    return Client.objects.filter(owner=owner, email__endswith=f"@{domain}")


def make_list(owner, name, clients=()):
    client_list = ClientList.objects.create(owner=owner, name=name)
    client_list.clients.set(clients)
    return client_list


def body(message, **extra):
    return {"message": message.pk, "start_at": "2030-07-01T09:00:00+02:00", "periodicity": "weekly", **extra}


def test_the_mailing_form_stays_small_with_thousands_of_clients(page, owner):
    many_clients(owner, 3000)
    MessageFactory(owner=owner)
    form = page.as_(owner).get("/api/mailings/form/")
    assert form.status_code == 200
    assert len(form.content) < FORM_LIMIT, len(form.content)
    assert "data-client-picker" in form.content.decode()


def test_editing_a_mailing_of_thousands_shows_a_few_and_keeps_them(page, owner):
    clients = many_clients(owner, 3000)
    mailing = MailingFactory(owner=owner, clients=[])
    MailingRecipient.objects.bulk_create(MailingRecipient(mailing=mailing, client=c) for c in clients)
    page.as_(owner)
    form = page.get(f"/api/mailings/{mailing.pk}/form/")
    html = form.content.decode()
    assert len(form.content) < FORM_LIMIT, len(form.content)
    assert "3000 clients already chosen" in html and "client000000@example.com" in html
    assert 'name="keep_clients" value="true"' in html and 'name="clients" value=' not in html

    # saved as the form sends it: the kept clients stay, a new one is added
    extra = ClientFactory(owner=owner, email="new@other.org")
    sent = {
        "message": mailing.message_id,
        "start_at": "2030-07-01T09:00",
        "periodicity": "weekly",
        "is_active": "true",
        "keep_clients": "true",
        "clients": [extra.pk],
    }
    saved = page.put(f"/api/mailings/{mailing.pk}/", sent)
    assert saved.status_code == 200, saved.content.decode()[:500]
    assert mailing.clients.count() == 3001

    # "clear all" leaves only what is chosen now
    del sent["keep_clients"]
    assert page.put(f"/api/mailings/{mailing.pk}/", sent).status_code == 200
    assert list(mailing.clients.all()) == [extra]


def test_editing_a_small_mailing_lists_its_clients_as_chips(page, owner):
    ann, bob = ClientFactory(owner=owner, email="ann@example.com"), ClientFactory(owner=owner, email="bob@example.com")
    mailing = MailingFactory(owner=owner, clients=[ann, bob])
    html = page.as_(owner).get(f"/api/mailings/{mailing.pk}/form/").content.decode()
    assert f'name="clients" value="{ann.pk}"' in html and f'name="clients" value="{bob.pk}"' in html
    assert "keep_clients" not in html and "2 selected" in html


def test_all_matching_is_resolved_by_the_server_for_the_owner_only(api, owner, other_user):
    many_clients(owner, 30, domain="bakery.test")
    ClientFactory(owner=owner, email="ann@example.com")
    many_clients(other_user, 5, domain="bakery.test")  # the same search, someone else's clients
    message = MessageFactory(owner=owner)
    created = api.as_(owner).post(
        "/api/mailings/", body(message, clients_matching={"search": "BAKERY.test"}), format="json"
    )
    assert created.status_code == 201, created.json()
    mailing = Mailing.objects.get(pk=created.json()["id"])
    assert mailing.clients.count() == 30 and created.json()["clients_count"] == 30
    assert set(mailing.clients.values_list("owner", flat=True)) == {owner.pk}
    assert "clients_matching" not in created.json()  # a request, not a property of the mailing


def test_ids_and_a_filter_are_the_union(api, owner):
    readers = make_list(owner, "Readers", ClientFactory.create_batch(3, owner=owner))
    ClientFactory.create_batch(2, owner=owner)  # on no list
    ann = ClientFactory(owner=owner)
    on_list = list(readers.clients.all())
    created = api.as_(owner).post(
        "/api/mailings/",
        body(MessageFactory(owner=owner), clients=[ann.pk, on_list[0].pk], clients_matching={"list": readers.pk}),
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert set(Mailing.objects.get(pk=created.json()["id"]).clients.all()) == {ann, *on_list}


def test_another_owners_list_is_refused_and_nothing_is_saved(api, owner, other_user):
    theirs = make_list(other_user, "Theirs", ClientFactory.create_batch(2, owner=other_user))
    message = MessageFactory(owner=owner)
    refused = api.as_(owner).post(
        "/api/mailings/", body(message, clients_matching={"search": "", "list": theirs.pk}), format="json"
    )
    assert refused.status_code == 400
    assert refused.json() == {"clients_matching": ["list: Choose one of your own lists."]}
    assert not Mailing.objects.exists()
    added = api.post(
        f"/api/lists/{make_list(owner, 'Mine').pk}/clients/", {"clients_matching": {"list": theirs.pk}}, format="json"
    )
    assert added.status_code == 400 and "clients_matching" in added.json()


def test_bad_filters_answer_400_by_field(api, owner):
    message = MessageFactory(owner=owner)
    api.as_(owner)
    for wrong in ({"search": "x" * 201}, {"list": "abc"}, {"colour": "red"}, "everyone", {"list": 2**70}):
        answer = api.post("/api/mailings/", body(message, clients_matching=wrong), format="json")
        assert answer.status_code == 400, (wrong, answer.content)
        assert list(answer.json()) == ["clients_matching"], answer.json()
        assert all(isinstance(m, str) for m in answer.json()["clients_matching"])
    nobody = api.post("/api/mailings/", body(message, clients_matching={"search": "nobody-has-this"}), format="json")
    assert nobody.status_code == 400 and "clients_matching" in nobody.json()
    assert not Mailing.objects.exists()


def test_the_form_comes_back_with_the_filter_and_messages(page, owner, other_user):
    many_clients(owner, 4, domain="bakery.test")
    theirs = make_list(other_user, "Theirs")
    page.as_(owner)
    response = page.post(
        "/api/mailings/",
        {"start_at": "2030-07-01T09:00", "periodicity": "weekly", "clients_matching.search": "bakery"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html  # the message
    assert 'name="clients_matching.search" value="bakery"' in html and "All 4 matching “bakery”" in html
    tampered = page.post(
        "/api/mailings/",
        {
            "message": MessageFactory(owner=owner).pk,
            "start_at": "2030-07-01T09:00",
            "periodicity": "weekly",
            "clients_matching.search": "",
            "clients_matching.list": theirs.pk,
        },
    )
    assert tampered.status_code == 400 and "Choose one of your own lists." in tampered.content.decode()
    assert not Mailing.objects.exists()


def test_a_list_takes_every_client_a_filter_finds(page, owner, other_user):
    many_clients(owner, 40, domain="bakery.test")
    ClientFactory(owner=owner, email="ann@example.com")
    many_clients(other_user, 3, domain="bakery.test")
    news = make_list(owner, "News")
    page.as_(owner)
    added = page.post(f"/api/lists/{news.pk}/clients/", {"clients_matching.search": "bakery.test"})
    assert added.status_code == 200, added.content.decode()[:300]
    assert triggers(added)["showToast"]["message"] == "40 clients added to the list."
    assert news.clients.count() == 40 and not news.clients.exclude(owner=owner).exists()
    theirs = make_list(other_user, "Theirs")
    refused = page.post(f"/api/lists/{news.pk}/clients/", {"clients_matching.list": theirs.pk})
    assert refused.status_code == 400 and "Choose one of your own lists." in refused.content.decode()
    assert news.clients.count() == 40


def test_a_page_of_the_clients_search_costs_the_same_whatever_the_number(api, owner):
    many_clients(owner, 500)
    readers = make_list(owner, "Readers", Client.objects.filter(owner=owner)[:300])
    api.as_(owner)
    counts = []
    for query in ({"search": "client0001", "page_size": 20}, {"search": "client", "list": readers.pk, "page": 3}):
        with CaptureQueriesContext(connection) as queries:
            answer = api.get("/api/clients/", query)
        assert answer.status_code == 200
        counts.append(len(queries))
    assert answer.json()["count"] == 300 and len(answer.json()["results"]) == 25
    # the token, the count, the page and the page's lists: never one per client
    assert counts == [counts[0]] * 2 and counts[0] <= 5, counts


def test_a_change_answers_the_clients_it_made(api, owner):
    readers = make_list(owner, "Readers", ClientFactory.create_batch(2, owner=owner))
    mailing = MailingFactory(owner=owner, clients=ClientFactory.create_batch(5, owner=owner))
    api.as_(owner)
    changed = api.patch(f"/api/mailings/{mailing.pk}/", {"clients_matching": {"list": readers.pk}}, format="json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()["clients_count"] == 2 and sorted(changed.json()["clients"]) == sorted(
        readers.clients.values_list("pk", flat=True)
    )
    kept = api.patch(
        f"/api/mailings/{mailing.pk}/",
        {"clients_matching": {"search": ""}, "keep_clients": True},
        format="json",
    )
    assert kept.json()["clients_count"] == 7 == mailing.clients.count()
