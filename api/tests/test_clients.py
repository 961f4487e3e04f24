"""Clients through the API and the HTML fragments: CRUD, unique email per owner,
search, CSV export of exactly the filtered list."""

import csv
import io

from api.tests.conftest import triggers
from core.models import Attempt, Client
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory


def test_owner_creates_lists_changes_and_deletes_a_client(api, owner):
    client = api.as_(owner)
    created = client.post("/api/clients/", {"email": "ann@example.com", "full_name": "Ann"}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert Client.objects.get(pk=pk).owner == owner
    assert client.get("/api/clients/").json()["results"][0]["email"] == "ann@example.com"
    assert client.patch(f"/api/clients/{pk}/", {"comment": "VIP"}, format="json").json()["comment"] == "VIP"
    assert client.delete(f"/api/clients/{pk}/").status_code == 204
    assert not Client.objects.filter(pk=pk).exists()


def test_email_is_unique_per_owner_not_globally(api, owner, other_user):
    ClientFactory(owner=owner, email="ann@example.com")
    ClientFactory(owner=other_user, email="bob@example.com")
    client = api.as_(owner)
    duplicate = client.post("/api/clients/", {"email": "ANN@example.com", "full_name": "Ann"}, format="json")
    assert duplicate.status_code == 400
    assert duplicate.json() == {"email": ["You already have a client with this email."]}
    other_owners = client.post("/api/clients/", {"email": "bob@example.com", "full_name": "Bob"}, format="json")
    assert other_owners.status_code == 201


def test_renaming_to_a_taken_email_is_refused(api, owner):
    ClientFactory(owner=owner, email="ann@example.com")
    bob = ClientFactory(owner=owner, email="bob@example.com")
    response = api.as_(owner).patch(f"/api/clients/{bob.pk}/", {"email": "ann@example.com"}, format="json")
    assert response.status_code == 400
    assert Client.objects.get(pk=bob.pk).email == "bob@example.com"


def test_missing_and_invalid_fields_are_named(api, owner):
    response = api.as_(owner).post("/api/clients/", {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"email", "full_name"}


def test_unknown_fields_are_rejected_by_name(api, owner):
    response = api.as_(owner).post(
        "/api/clients/", {"email": "a@example.com", "full_name": "A", "owner": 99, "vip": True}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"owner", "vip"}
    assert not Client.objects.exists()


def test_search_finds_by_email_name_or_comment(api, owner):
    ClientFactory(owner=owner, email="ann@example.com", full_name="Ann", comment="")
    ClientFactory(owner=owner, email="bob@example.com", full_name="Bob", comment="met at the fair")
    client = api.as_(owner)
    assert [r["email"] for r in client.get("/api/clients/?search=ANN").json()["results"]] == ["ann@example.com"]
    assert [r["email"] for r in client.get("/api/clients/?search=fair").json()["results"]] == ["bob@example.com"]


def test_ordering_and_page_size(api, owner):
    for name in ["b", "c", "a"]:
        ClientFactory(owner=owner, email=f"{name}@example.com")
    body = api.as_(owner).get("/api/clients/?ordering=-email&page_size=2").json()
    assert body["count"] == 3
    assert [r["email"] for r in body["results"]] == ["c@example.com", "b@example.com"]


def test_client_used_by_a_mailing_is_not_deleted(api, owner):
    used = ClientFactory(owner=owner)
    MailingFactory(owner=owner, clients=[used])
    response = api.as_(owner).delete(f"/api/clients/{used.pk}/")
    assert response.status_code == 409
    assert "used by the mailing" in response.json()["detail"]
    assert Client.objects.filter(pk=used.pk).exists()


def test_export_is_exactly_the_filtered_list(api, owner, other_user):
    ClientFactory(owner=owner, email="ann@example.com", full_name="Ann", comment="=cmd()")
    ClientFactory(owner=owner, email="bob@example.com", full_name="Bob")
    ClientFactory(owner=other_user, email="ann.other@example.com", full_name="Ann")
    response = api.as_(owner).get("/api/clients/export/?search=ann")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    # a cell that a spreadsheet would run as a formula is quoted as text
    assert rows == [["email", "full_name", "comment"], ["ann@example.com", "Ann", "'=cmd()"]]


def test_export_with_a_bad_filter_is_a_400(api, owner):
    response = api.as_(owner).get("/api/clients/export/?search=" + "x" * 300)
    assert response.status_code == 400


# The HTML face


def test_list_fragment_has_rows_filter_form_and_sorting_links(page, owner):
    ClientFactory(owner=owner, email="ann@example.com")
    response = page.as_(owner).get("/api/clients/", {"search": "ann", "ordering": "email"})
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert 'id="clients-list"' in html
    assert "ann@example.com" in html
    assert 'name="search"' in html and 'value="ann"' in html
    assert "ordering=-email" in html  # the sorted column's link reverses it


def test_form_fragment_creates_a_client_and_answers_its_row(page, owner):
    page.as_(owner)
    form = page.get("/api/clients/form/").content.decode()
    assert 'hx-post="/api/clients/"' in form
    assert '<label class="form-label" for="id_email">' in form
    response = page.post("/api/clients/", {"email": "ann@example.com", "full_name": "Ann", "comment": ""})
    assert response.status_code == 201
    assert 'id="clients-' in response.content.decode()
    assert "ann@example.com" in response.content.decode()
    assert triggers(response)["showToast"]["level"] == "success"
    assert "clients-changed" in triggers(response)


def test_invalid_form_comes_back_with_messages_next_to_fields_and_nothing_saved(page, owner):
    ClientFactory(owner=owner, email="ann@example.com")
    response = page.as_(owner).post("/api/clients/", {"email": "ann@example.com", "full_name": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#clients-form"
    assert response["HX-Reswap"] == "outerHTML"
    assert 'id="id_email-errors"' in html and "You already have a client with this email." in html
    assert 'id="id_full_name-errors"' in html
    assert 'value="ann@example.com"' in html  # what the user typed stays
    assert Client.objects.count() == 1


def test_edit_form_is_filled_and_saves_with_put(page, owner):
    ann = ClientFactory(owner=owner, email="ann@example.com", full_name="Ann")
    page.as_(owner)
    form = page.get(f"/api/clients/{ann.pk}/form/").content.decode()
    assert f'hx-put="/api/clients/{ann.pk}/"' in form and 'value="Ann"' in form
    response = page.put(f"/api/clients/{ann.pk}/", {"email": "ann@example.com", "full_name": "Ann B", "comment": ""})
    assert response.status_code == 200
    assert f'id="clients-{ann.pk}"' in response.content.decode()
    assert Client.objects.get(pk=ann.pk).full_name == "Ann B"


def test_delete_confirmation_and_delete(page, owner):
    ann = ClientFactory(owner=owner)
    page.as_(owner)
    confirm = page.get(f"/api/clients/{ann.pk}/confirm-delete/").content.decode()
    assert f'hx-delete="/api/clients/{ann.pk}/"' in confirm
    response = page.delete(f"/api/clients/{ann.pk}/")
    assert response.status_code == 200  # htmx swaps the row out with the empty answer
    assert response.content.strip() == b""
    assert not Client.objects.filter(pk=ann.pk).exists()


def test_deleting_a_client_in_use_shows_why_in_the_confirmation(page, owner):
    used = ClientFactory(owner=owner)
    mailing = MailingFactory(owner=owner, clients=[used])
    Attempt.objects.create(mailing=mailing, client=used, run_at=mailing.start_at)
    response = page.as_(owner).delete(f"/api/clients/{used.pk}/")
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#clients-confirm"
    assert "used by the mailing" in response.content.decode()


def test_confirmation_of_a_client_in_use_names_its_mailings_and_offers_no_delete(page, owner):
    used = ClientFactory(owner=owner, full_name="Ann Used")
    listing = MailingFactory(owner=owner, clients=[used], message=MessageFactory(owner=owner, subject="Spring news"))
    kept = MailingFactory(owner=owner, clients=[used], message=MessageFactory(owner=owner, subject="Winter sale"))
    Attempt.objects.create(mailing=kept, client=used, run_at=kept.start_at, status="success")
    kept.clients.clear()
    page.as_(owner)
    confirm = page.get(f"/api/clients/{used.pk}/confirm-delete/").content.decode()
    assert "hx-delete" not in confirm and "This cannot be undone" not in confirm
    assert "cannot be deleted while mailings use this client" in confirm
    assert f'<a href="/mailings/{listing.pk}/">#{listing.pk} Spring news</a>' in confirm
    assert f'<a href="/mailings/{kept.pk}/">#{kept.pk} Winter sale</a>' in confirm
    assert f'hx-post="/api/clients/{used.pk}/remove-from-mailings/"' in confirm
    row = page.get("/api/clients/").content.decode()
    assert f'hx-get="/api/clients/{used.pk}/confirm-delete/"' in row
    assert "In use" in row and "bi-trash" not in row


def test_removing_a_client_from_its_mailings_then_deleting_it(page, owner):
    ann = ClientFactory(owner=owner)
    mailing = MailingFactory(owner=owner, clients=[ann])
    page.as_(owner)
    answer = page.post(f"/api/clients/{ann.pk}/remove-from-mailings/")
    assert answer.status_code == 200
    assert triggers(answer)["showToast"]["message"] == "Removed from 1 mailing."
    assert "clients-changed" in triggers(answer) and "closeModal" not in triggers(answer)
    confirm = answer.content.decode()
    assert 'id="clients-confirm"' in confirm
    assert f'hx-delete="/api/clients/{ann.pk}/"' in confirm  # nothing keeps it now
    assert not mailing.clients.exists()
    assert "bi-trash" in page.get("/api/clients/").content.decode()
    assert page.delete(f"/api/clients/{ann.pk}/").status_code == 200
    assert not Client.objects.filter(pk=ann.pk).exists()


def test_api_takes_a_client_off_its_mailings_and_refuses_a_delete_with_why(api, owner, other_user):
    ann = ClientFactory(owner=owner)
    mailing = MailingFactory(owner=owner, clients=[ann])
    refused = api.as_(owner).delete(f"/api/clients/{ann.pk}/")
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": f"This client is used by the mailing {mailing}. Remove the client from it (or delete it) first."
    }
    assert api.as_(other_user).post(f"/api/clients/{ann.pk}/remove-from-mailings/").status_code == 404
    taken_off = api.as_(owner).post(f"/api/clients/{ann.pk}/remove-from-mailings/")
    assert taken_off.status_code == 200 and taken_off.json() == {"mailings": [mailing.pk]}
    assert api.delete(f"/api/clients/{ann.pk}/").status_code == 204


def test_fragment_only_endpoints_refuse_json(api, owner):
    assert api.as_(owner).get("/api/clients/form/", HTTP_ACCEPT="application/json").status_code == 406
