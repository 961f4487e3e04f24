"""Importing a CSV into one of the owner's lists, optionally updating the
clients already there: still previewed first and all or nothing; another
owner's list and clients are never touched."""

import pytest

from api.tests.test_client_import import post, upload
from core.models import Client, ClientList
from core.tests.factories import ClientFactory

FILE = "email,full_name,comment\nANN@example.com,Ann Smith,moved\ncy@example.com,Cy,new\n"


@pytest.fixture
def news(owner):
    return ClientList.objects.create(owner=owner, name="News")


@pytest.fixture
def ann(owner):
    return ClientFactory(owner=owner, email="ann@example.com", full_name="Ann", comment="")


def names(owner):
    return dict(Client.objects.filter(owner=owner).values_list("email", "full_name"))


def test_update_existing_updates_by_email_in_any_case_and_puts_everyone_on_the_list(api, owner, other_user, news, ann):
    bob = ClientFactory(owner=owner, email="bob@example.com")
    news.clients.add(bob)
    theirs = ClientFactory(owner=other_user, email="cy@example.com", full_name="Their Cy")
    response = post(api, owner, FILE, update_existing="true", list=str(news.pk))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["created"], body["updated"], body["list"], body["listed"]) == (1, 1, news.pk, 2)
    ann.refresh_from_db()
    assert (ann.email, ann.full_name, ann.comment) == ("ann@example.com", "Ann Smith", "moved")
    assert names(owner) == {"ann@example.com": "Ann Smith", "bob@example.com": bob.full_name, "cy@example.com": "Cy"}
    assert sorted(news.clients.values_list("email", flat=True)) == [
        "ann@example.com",
        "bob@example.com",
        "cy@example.com",
    ]
    theirs.refresh_from_db()
    assert theirs.full_name == "Their Cy" and not theirs.lists.exists()


def test_a_client_already_on_the_list_is_updated_and_not_counted_as_put_on_it(api, owner, news, ann):
    news.clients.add(ann)
    response = post(api, owner, FILE, update_existing="true", list=str(news.pk))
    assert response.status_code == 201
    assert (response.json()["updated"], response.json()["listed"]) == (1, 1)
    assert news.clients.count() == 2


def test_the_preview_counts_new_updated_and_listed_and_saves_nothing(api, owner, news, ann):
    response = post(api, owner, FILE, update_existing="true", list=str(news.pk), preview="true")
    assert response.status_code == 200
    body = response.json()
    assert (body["saved"], body["created"], body["updated"], body["listed"]) == (False, 1, 1, 2)
    assert [row["existing"] for row in body["rows"]] == [ann.pk, None]
    assert names(owner) == {"ann@example.com": "Ann"}
    assert not news.clients.exists()


def test_without_update_existing_a_known_email_is_still_a_duplicate(api, owner, news, ann):
    response = post(api, owner, FILE, list=str(news.pk))
    assert response.status_code == 400
    assert "already have a client" in " ".join(response.json()["errors"][0]["errors"])
    assert names(owner) == {"ann@example.com": "Ann"} and not news.clients.exists()


def test_one_bad_row_updates_nothing_creates_nothing_and_lists_nobody(api, owner, news, ann):
    content = FILE + "not-an-email,Dee,\nann@EXAMPLE.com,Ann twice,\n"
    response = post(api, owner, content, update_existing="true", list=str(news.pk))
    assert response.status_code == 400
    errors = {row["line"]: " ".join(row["errors"]) for row in response.json()["errors"]}
    assert sorted(errors) == [4, 5]
    assert "Duplicate of line 2" in errors[5]
    assert names(owner) == {"ann@example.com": "Ann"} and not news.clients.exists()


def test_another_owners_list_is_refused_and_nothing_changes(api, owner, other_user, ann):
    theirs = ClientList.objects.create(owner=other_user, name="Theirs")
    response = post(api, owner, FILE, update_existing="true", list=str(theirs.pk))
    assert response.status_code == 400
    assert response.json() == {"list": ["Choose one of your lists."]}
    assert names(owner) == {"ann@example.com": "Ann"} and not theirs.clients.exists()


def test_an_admin_imports_into_their_own_lists_only(api, admin_user, owner, news):
    response = post(api, admin_user, FILE, list=str(news.pk))
    assert response.status_code == 400 and "list" in response.json()
    assert not Client.objects.exists() and not news.clients.exists()


def test_unknown_and_malformed_options_are_field_errors(api, owner, news):
    response = post(api, owner, FILE, list="abc", update_existing="maybe", colour="red")
    assert response.status_code == 400
    assert set(response.json()) == {"list", "update_existing", "colour"}
    assert not Client.objects.exists()


def test_the_import_form_offers_only_the_owners_lists_and_the_preview_says_what_happens(
    page, owner, other_user, news, ann
):
    ClientList.objects.create(owner=other_user, name="Theirs")
    page.as_(owner)
    form = page.get("/api/clients/import/form/").content.decode()
    assert f'<option value="{news.pk}">News</option>' in form and "Theirs" not in form
    assert 'name="update_existing"' in form
    data = {"file": upload(FILE), "update_existing": "true", "list": str(news.pk), "preview": "true"}
    preview = page.post("/api/clients/import/", data).content.decode()
    assert "1 new, 1 updated, 2 put on the list “News”." in preview
    assert "Updates an existing client." in preview
    saved = page.post("/api/clients/import/", {**data, "file": upload(FILE), "preview": "false"})
    assert saved.status_code == 201
    assert "2 clients imported. 1 new, 1 updated, 2 put on the list “News”." in saved.content.decode()
    refused = page.post("/api/clients/import/", {"file": upload(FILE), "list": "999999"})
    assert refused.status_code == 400 and "Choose one of your lists." in refused.content.decode()
