"""Test addresses through the API, in both faces: list, add (the link is emailed), delete,
send the link again; only one's own; the send-a-test dialog and endpoint take a confirmed one."""

import re

import pytest
from django.utils import timezone

from api.tests.conftest import triggers
from core.models import OutboxEmail, TestAddress
from core.tests.factories import MailingFactory, MessageFactory


@pytest.fixture(autouse=True)
def _no_sender_threads(settings):
    settings.OUTBOX_SENDER_THREADS = 0


def confirmed(owner, email):
    return TestAddress.objects.create(owner=owner, email=email, verified_at=timezone.now())


def test_add_list_resend_delete(api, owner):
    client = api.as_(owner)
    added = client.post("/api/test-addresses/", {"email": "Phone@Example.org"}, format="json")
    assert added.status_code == 201
    body = added.json()
    assert body["email"] == "phone@example.org" and body["is_verified"] is False and body["verified_at"] is None
    assert OutboxEmail.objects.get().recipient == "phone@example.org"
    listed = client.get("/api/test-addresses/").json()
    assert [row["email"] for row in listed["results"]] == ["phone@example.org"]
    too_soon = client.post(f"/api/test-addresses/{body['id']}/resend/")
    assert too_soon.status_code == 429 and 0 < int(too_soon["Retry-After"]) <= 61
    assert "a new one can go in" in too_soon.json()["detail"] and OutboxEmail.objects.count() == 1
    OutboxEmail.objects.update(created_at=timezone.now() - timezone.timedelta(minutes=2))
    resent = client.post(f"/api/test-addresses/{body['id']}/resend/")
    assert resent.status_code == 202 and resent.json() == {"detail": "A new link was sent to phone@example.org."}
    assert client.delete(f"/api/test-addresses/{body['id']}/").status_code == 204
    assert not TestAddress.objects.exists()


def test_bad_input_is_a_400_with_the_fields_message_and_nothing_added(api, owner):
    client = api.as_(owner)
    for n in range(5):
        confirmed(owner, f"colleague{n}@example.org")
    for body, message in [
        ({"email": "colleague5@example.org"}, "You can have at most 5 test addresses. Delete one to add another."),
        ({"email": "COLLEAGUE1@example.org"}, "You have already added this address."),
        ({"email": "owner@example.com"}, "This is your own address: tests can go to it already."),
        ({"email": "not an address"}, "Enter a valid email address."),
        ({}, "This field is required."),
    ]:
        response = client.post("/api/test-addresses/", body, format="json")
        assert response.status_code == 400 and list(response.json()) == ["email"], body
        assert message in response.json()["email"]
    assert client.post("/api/test-addresses/", {"email": "a@example.org", "x": 1}, format="json").status_code == 400
    assert TestAddress.objects.count() == 5 and not OutboxEmail.objects.exists()


def test_another_users_address_is_not_found_even_by_an_admin(api, owner, other_user, admin_user):
    theirs = confirmed(other_user, "theirs@example.org")
    for actor in (owner, admin_user):
        client = api.as_(actor)
        assert client.delete(f"/api/test-addresses/{theirs.pk}/").status_code == 404
        assert client.post(f"/api/test-addresses/{theirs.pk}/resend/").status_code == 404
        assert client.get("/api/test-addresses/").json()["results"] == []
    assert TestAddress.objects.filter(pk=theirs.pk).exists()


def test_a_test_goes_to_a_confirmed_address_and_nowhere_else(api, owner, other_user):
    message = MessageFactory(owner=owner, subject="Sale")
    confirmed(owner, "phone@example.org")
    TestAddress.objects.create(owner=owner, email="waiting@example.org")
    confirmed(other_user, "theirs@example.org")
    client = api.as_(owner)
    url = f"/api/messages/{message.pk}/send-test/"
    sent = client.post(url, {"recipient": "phone@example.org"}, format="json")
    assert sent.status_code == 202 and sent.json()["recipient"] == "phone@example.org"
    assert sent.json()["detail"] == "A test was sent to phone@example.org."
    for recipient in ("waiting@example.org", "theirs@example.org", "stranger@example.org"):
        refused = client.post(url, {"recipient": recipient}, format="json")
        assert refused.status_code == 400 and refused.json() == {
            "recipient": ["Tests go only to your own address or to a test address you have confirmed."]
        }
    bad = client.post(url, {"recipient": "nope"}, format="json")
    assert bad.status_code == 400 and list(bad.json()) == ["recipient"]
    mailing = MailingFactory(owner=owner, message=message)
    assert client.post(f"/api/mailings/{mailing.pk}/send-test/", {}, format="json").json()["recipient"] == owner.email
    assert list(OutboxEmail.objects.filter(kind="message_test").values_list("recipient", flat=True)) == [
        owner.email,
        "phone@example.org",
    ]


def test_the_profile_fragments_add_refuse_and_list(page, owner):
    page.as_(owner)
    empty = page.get("/api/test-addresses/").content.decode()
    assert 'id="test-addresses-form"' in empty and "No test addresses yet" in empty
    added = page.post("/api/test-addresses/", {"email": "phone@example.org"})
    assert added.status_code == 201 and 'id="test-addresses-' in added.content.decode()
    assert triggers(added)["test-addresses-changed"] == {}
    assert triggers(added)["showToast"]["message"] == "Added. phone@example.org gets a link to confirm it."
    again = page.post("/api/test-addresses/", {"email": "phone@example.org"})
    assert again.status_code == 400 and again["HX-Retarget"] == "#test-addresses-form"
    html = again.content.decode()
    assert 'value="phone@example.org" aria-invalid="true"' in html and "You have already added this address." in html
    resend = page.post(f"/api/test-addresses/{TestAddress.objects.get().pk}/resend/")
    assert (
        resend.status_code == 400 and 'role="alert">A link went to this address a moment ago' in resend.content.decode()
    )
    for n in range(4):
        confirmed(owner, f"colleague{n}@example.org")
    full = page.get("/api/test-addresses/").content.decode()
    assert 'id="test-addresses-form"' not in full and "the most there can be" in full
    assert full.count('data-test-address="confirmed"') == 4 and full.count('data-test-address="waiting"') == 1


def test_the_dialog_offers_the_confirmed_addresses_and_keeps_a_refused_choice(page, owner):
    message = MessageFactory(owner=owner)
    page.as_(owner)
    alone = page.get(f"/api/messages/{message.pk}/preview/").content.decode()
    assert 'name="recipient"' not in alone and f"Send a test to {owner.email}" in alone
    confirmed(owner, "phone@example.org")
    TestAddress.objects.create(owner=owner, email="waiting@example.org")
    offered = page.get(f"/api/messages/{message.pk}/preview/").content.decode()
    options = re.findall(r'<option value="([^"]+)"', offered.split('id="send-test-recipient"')[1].split("</select>")[0])
    assert options == [owner.email, "phone@example.org"]
    sent = page.post(f"/api/messages/{message.pk}/send-test/", {"recipient": "phone@example.org"})
    assert sent.status_code == 202 and "Sent to phone@example.org" in sent.content.decode()
    refused = page.post(f"/api/messages/{message.pk}/send-test/", {"recipient": "waiting@example.org"})
    assert refused.status_code == 400
    assert "Tests go only to your own address or to a test address you have confirmed." in refused.content.decode()
    assert OutboxEmail.objects.filter(kind="message_test").count() == 1


def test_russian(page, owner):
    owner.language = "ru"
    owner.save()
    for n in range(5):
        confirmed(owner, f"colleague{n}@example.org")
    page.as_(owner)
    refused = page.post("/api/test-addresses/", {"email": "x@example.org"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert "Можно завести не больше 5 тестовых адресов" in refused.content.decode()
    listed = page.get("/api/test-addresses/").content.decode()
    assert "Подтверждён" in listed
    dialog = page.get(f"/api/messages/{MessageFactory(owner=owner).pk}/preview/").content.decode()
    assert ">Кому</label>" in dialog and "Отправить проверку</button>" in dialog and "(вы)</option>" in dialog
