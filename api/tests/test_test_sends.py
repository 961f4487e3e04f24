"""Send a test, from a message and from a mailing, in both faces: 202 and where
it went; 400 with field messages; 429 past the hourly limit (the form's message
on our pages); never an attempt."""

import pytest

from api.tests.conftest import triggers
from core.models import Attempt, OutboxEmail
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory


@pytest.fixture(autouse=True)
def _no_sender_threads(settings):
    settings.OUTBOX_SENDER_THREADS = 0
    settings.TEST_SENDS_PER_HOUR = 3


def test_from_a_message_for_a_chosen_client(api, owner):
    message = MessageFactory(owner=owner, subject="Hi {full_name}", body="**x**", format="markdown")
    ada = ClientFactory(owner=owner, full_name="Ada")
    response = api.as_(owner).post(f"/api/messages/{message.pk}/send-test/", {"client": ada.pk}, format="json")
    assert response.status_code == 202
    assert response.json() == {
        "detail": f"A test was sent to {owner.email}.",
        "recipient": owner.email,
        "subject": "[Test] Hi Ada",
        "email": ada.email,
        "full_name": "Ada",
    }
    row = OutboxEmail.objects.get()
    assert row.recipient == owner.email and row.subject == "[Test] Hi Ada" and "<strong>x</strong>" in row.html
    assert b"multipart/alternative" in row.mime.encode() and not Attempt.objects.exists()


def test_from_a_mailing_for_one_of_its_clients(api, owner):
    ada, bob = ClientFactory(owner=owner, full_name="Ada"), ClientFactory(owner=owner, full_name="Bob")
    mailing = MailingFactory(owner=owner, clients=[ada], message=MessageFactory(owner=owner, subject="Hi {full_name}"))
    client = api.as_(owner)
    sent = client.post(f"/api/mailings/{mailing.pk}/send-test/", {"client": ada.pk}, format="json")
    assert sent.status_code == 202 and sent.json()["subject"] == "[Test] Hi Ada"
    sample = client.post(f"/api/mailings/{mailing.pk}/send-test/", {}, format="json")
    assert sample.status_code == 202 and sample.json()["subject"] == "[Test] Hi Anna Petrova"
    not_on_it = client.post(f"/api/mailings/{mailing.pk}/send-test/", {"client": bob.pk}, format="json")
    assert not_on_it.status_code == 400 and not_on_it.json() == {"client": ["No such client."]}
    assert OutboxEmail.objects.count() == 2 and not Attempt.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"client": "abc"}, "client"),
        ({"client": 0}, "client"),
        ({"client": 2**70}, "client"),
        ({"client": True}, "client"),
        ({"to": "someone@example.com"}, "to"),  # no other address: only one's own
    ],
)
def test_bad_input_is_a_400_with_the_fields_message(api, owner, body, field):
    message = MessageFactory(owner=owner)
    response = api.as_(owner).post(f"/api/messages/{message.pk}/send-test/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not OutboxEmail.objects.exists()


def test_another_users_client_or_message_is_not_found(api, owner, other_user):
    message = MessageFactory(owner=owner)
    theirs = ClientFactory(owner=other_user)
    client = api.as_(owner)
    response = client.post(f"/api/messages/{message.pk}/send-test/", {"client": theirs.pk}, format="json")
    assert response.status_code == 400 and response.json() == {"client": ["No such client."]}
    their_message = MessageFactory(owner=other_user)
    assert client.post(f"/api/messages/{their_message.pk}/send-test/", {}, format="json").status_code == 404
    assert not OutboxEmail.objects.exists()


def test_past_the_hourly_limit_429_with_retry_after(api, owner):
    message = MessageFactory(owner=owner)
    client = api.as_(owner)
    for _ in range(3):
        assert client.post(f"/api/messages/{message.pk}/send-test/", {}, format="json").status_code == 202
    refused = client.post(f"/api/messages/{message.pk}/send-test/", {}, format="json")
    assert refused.status_code == 429 and 3500 < int(refused["Retry-After"]) <= 3601
    assert "You have sent 3 tests in the last hour; the next one can go in 60 minutes." in refused.json()["detail"]
    assert OutboxEmail.objects.count() == 3


def test_a_message_that_cannot_be_built_is_a_400_saying_why(api, owner):
    message = MessageFactory.build(owner=owner, subject="Hi {name}", body="b")
    message.save()
    response = api.as_(owner).post(f"/api/messages/{message.pk}/send-test/", {}, format="json")
    assert response.status_code == 400 and "unknown placeholder {name}" in response.json()["detail"]


def test_our_pages_get_the_form_back_with_what_happened(page, owner):
    message = MessageFactory(owner=owner, subject="Hi {full_name}")
    ada = ClientFactory(owner=owner, full_name="Ada")
    preview = page.as_(owner).get(f"/api/messages/{message.pk}/preview/").content.decode()
    assert f'hx-post="/api/messages/{message.pk}/send-test/"' in preview
    assert f'<input type="hidden" name="client" value="{ada.pk}">' in preview
    assert f"Send a test to {owner.email}" in preview

    sent = page.post(f"/api/messages/{message.pk}/send-test/", {"client": ada.pk})
    assert sent.status_code == 202
    html = sent.content.decode()
    assert '<form id="send-test"' in html and "Sent to" in html and "[Test] Hi Ada" in html
    assert triggers(sent) == {"showToast": {"level": "success", "message": f"A test was sent to {owner.email}."}}
    for _ in range(2):
        page.post(f"/api/messages/{message.pk}/send-test/")
    refused = page.post(f"/api/messages/{message.pk}/send-test/")
    assert refused.status_code == 400  # htmx swaps it: the refusal is the form's message
    assert 'role="alert" data-test-send="refused">You have sent 3 tests in the last hour' in refused.content.decode()

    wrong = page.post(f"/api/mailings/{MailingFactory(owner=owner, clients=[ada]).pk}/send-test/", {"client": "abc"})
    assert wrong.status_code == 400 and 'id="send-test-client"' in wrong.content.decode()
    assert "A valid integer is required." in wrong.content.decode()


def test_the_mailing_page_offers_it_to_those_who_may_change_the_mailing(page, owner, manager):
    ada = ClientFactory(owner=owner, full_name="Ada")
    mailing = MailingFactory(owner=owner, clients=[ada])
    mine = page.as_(owner).get(f"/api/mailings/{mailing.pk}/").content.decode()
    assert f'hx-post="/api/mailings/{mailing.pk}/send-test/"' in mine
    assert f'<option value="{ada.pk}">Ada &lt;{ada.email}&gt;</option>' in mine
    seen = page.as_(manager).get(f"/api/mailings/{mailing.pk}/").content.decode()
    assert "send-test" not in seen
