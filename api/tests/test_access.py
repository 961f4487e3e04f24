"""Who may see and change what, through both faces: a plain user never finds
another user's objects (404), a manager reads every mailing but changes only
their own (403) and may enable or disable any, an admin does everything,
anonymous gets 401."""

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from api.tests.conftest import HX
from core.models import Attempt, Client, ClientList, Mailing, Message, OutboxEmail, RunStats, TestAddress
from core.services.images import image_create
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory
from core.tests.images import image_bytes


@pytest.fixture
def theirs(other_user):
    """Another user's client, message, mailing, attempt and run statistics."""
    client = ClientFactory(owner=other_user)
    mailing = MailingFactory(owner=other_user, clients=[client])
    attempt = Attempt.objects.create(mailing=mailing, client=client, run_at=mailing.start_at)
    RunStats.objects.create(mailing=mailing, run_at=mailing.start_at, planned=1, pending=1)
    client_list = ClientList.objects.create(owner=other_user, name="Theirs")
    client_list.clients.set([client])
    return {
        "clients": client,
        "lists": client_list,
        "messages": mailing.message,
        "mailings": mailing,
        "attempts": attempt,
        "reports": mailing,
        "images": image_create(owner=other_user, upload=SimpleUploadedFile("a.png", image_bytes(), "image/png")),
    }


READABLE = ["clients", "lists", "messages", "mailings", "attempts", "reports", "images"]


@pytest.mark.parametrize("resource", READABLE)
@pytest.mark.parametrize("headers", [{}, HX], ids=["json", "html"])
def test_plain_user_gets_404_for_another_users_object(api, owner, theirs, resource, headers):
    url = f"/api/{resource}/{theirs[resource].pk}/"
    client = api.as_(owner)
    assert client.get(url, **headers).status_code == 404
    assert not any(row.get("id") == theirs[resource].pk for row in client.get(f"/api/{resource}/").json()["results"])


@pytest.mark.parametrize("resource", ["clients", "lists", "messages", "mailings"])
def test_plain_user_cannot_change_or_delete_another_users_object(api, owner, theirs, resource):
    url = f"/api/{resource}/{theirs[resource].pk}/"
    client = api.as_(owner)
    assert client.patch(url, {}, format="json").status_code == 404
    assert client.delete(url).status_code == 404
    assert type(theirs[resource]).objects.filter(pk=theirs[resource].pk).exists()


@pytest.mark.parametrize("action", ["enable", "disable", "send-now", "resend-failed"])
def test_plain_user_cannot_act_on_another_users_mailing(api, owner, theirs, action):
    response = api.as_(owner).post(f"/api/mailings/{theirs['mailings'].pk}/{action}/")
    assert response.status_code == 404


@pytest.mark.parametrize("resource", ["mailings", "attempts", "reports"])
@pytest.mark.parametrize("headers", [{}, HX], ids=["json", "html"])
def test_manager_reads_every_users_mailings_attempts_and_reports(api, manager, theirs, resource, headers):
    client = api.as_(manager)
    assert client.get(f"/api/{resource}/{theirs[resource].pk}/", **headers).status_code == 200
    listing = client.get(f"/api/{resource}/").json()["results"]
    key = "mailing" if resource == "reports" else "id"
    assert [row[key] for row in listing] == [theirs[resource].pk]


def test_manager_does_not_see_other_users_clients_lists_or_messages(api, manager, theirs):
    client = api.as_(manager)
    assert client.get(f"/api/clients/{theirs['clients'].pk}/").status_code == 404
    assert client.get(f"/api/lists/{theirs['lists'].pk}/").status_code == 404
    assert client.post(f"/api/lists/{theirs['lists'].pk}/clients/", {"clients": [1]}, format="json").status_code == 404
    subscriber = {"email": "zoe@example.com", "full_name": "Zoe"}
    assert client.post(f"/api/lists/{theirs['lists'].pk}/subscribers/", subscriber, format="json").status_code == 404
    assert client.get("/api/lists/").json()["results"] == []
    assert client.get(f"/api/messages/{theirs['messages'].pk}/").status_code == 404


def test_manager_gets_403_when_changing_another_users_mailing(api, manager, theirs):
    mailing = theirs["mailings"]
    client = api.as_(manager)
    url = f"/api/mailings/{mailing.pk}/"
    assert client.patch(url, {"periodicity": "daily"}, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    assert client.post(f"{url}send-now/").status_code == 403
    assert client.post(f"{url}resend-failed/").status_code == 403
    mailing.refresh_from_db()
    assert mailing.periodicity == "once"
    assert Attempt.objects.filter(mailing=mailing).count() == 1


def test_manager_gets_403_for_edit_and_delete_fragments_of_another_users_mailing(client, manager, theirs):
    client.force_login(manager)
    pk = theirs["mailings"].pk
    assert client.get(f"/api/mailings/{pk}/form/", **HX).status_code == 403
    assert client.get(f"/api/mailings/{pk}/confirm-delete/", **HX).status_code == 403


def test_manager_may_disable_and_enable_any_mailing(api, manager, theirs):
    mailing = theirs["mailings"]
    client = api.as_(manager)
    assert client.post(f"/api/mailings/{mailing.pk}/disable/").json()["is_active"] is False
    assert Mailing.objects.get(pk=mailing.pk).is_active is False
    assert client.post(f"/api/mailings/{mailing.pk}/enable/").json()["is_active"] is True
    assert Mailing.objects.get(pk=mailing.pk).is_active is True


def test_admin_sees_and_changes_everything(api, admin_user, theirs):
    client = api.as_(admin_user)
    for resource in READABLE:
        assert client.get(f"/api/{resource}/{theirs[resource].pk}/").status_code == 200
    response = client.patch(f"/api/clients/{theirs['clients'].pk}/", {"full_name": "Renamed"}, format="json")
    assert response.status_code == 200
    assert Client.objects.get(pk=theirs["clients"].pk).full_name == "Renamed"
    message = MessageFactory(owner=theirs["messages"].owner)
    assert client.delete(f"/api/messages/{message.pk}/").status_code == 204
    assert not Message.objects.filter(pk=message.pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/clients/",
        "/api/lists/",
        "/api/messages/",
        "/api/mailings/",
        "/api/attempts/",
        "/api/reports/",
        "/api/users/",
        "/api/images/",
    ],
)
def test_anonymous_gets_401(db, url):
    response = APIClient().get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_anonymous_htmx_request_gets_an_error_fragment(client, db):
    response = client.get("/api/mailings/", **HX)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("text/html")
    assert "Authentication credentials were not provided." in response.content.decode()


def test_blocked_users_token_stops_working(api, owner, manager):
    from core.services.users import user_set_blocked

    client = api.as_(owner)
    assert client.get("/api/clients/").status_code == 200
    user_set_blocked(user=owner, blocked=True, by=manager)
    assert client.get("/api/clients/").status_code == 401


def test_report_rows_of_another_user_are_not_counted_for_a_plain_user(api, owner, theirs):
    RunStats.objects.create(mailing=theirs["mailings"], run_at=datetime(2026, 1, 1, tzinfo=UTC), sent=5)
    assert api.as_(owner).get("/api/reports/daily/").json() == []


@pytest.mark.parametrize("headers", [{}, HX], ids=["json", "html"])
def test_tracking_figures_and_clicks_of_another_users_mailing_or_client_are_404(api, owner, manager, theirs, headers):
    mailing, client = theirs["mailings"], theirs["clients"]
    assert api.as_(owner).get(f"/api/mailings/{mailing.pk}/tracking/", **headers).status_code == 404
    assert api.as_(owner).get(f"/api/clients/{client.pk}/clicks/", **headers).status_code == 404
    assert api.as_(manager).get(f"/api/mailings/{mailing.pk}/tracking/", **headers).status_code == 200
    assert api.as_(manager).get(f"/api/clients/{client.pk}/clicks/", **headers).status_code == 404
    assert APIClient().get(f"/api/mailings/{mailing.pk}/tracking/").status_code == 401


@pytest.mark.parametrize("headers", [{}, HX], ids=["json", "html"])
@pytest.mark.parametrize("actor", ["owner", "manager", "admin_user"])
def test_another_users_test_address_is_not_found_by_anyone(api, other_user, actor, headers, request):
    theirs = TestAddress.objects.create(owner=other_user, email="theirs@example.org")
    client = api.as_(request.getfixturevalue(actor))
    assert client.post(f"/api/test-addresses/{theirs.pk}/resend/", **headers).status_code == 404
    assert client.delete(f"/api/test-addresses/{theirs.pk}/", **headers).status_code == 404
    assert client.get("/api/test-addresses/", format="json").json()["results"] == []
    assert TestAddress.objects.filter(pk=theirs.pk).exists() and not OutboxEmail.objects.exists()
