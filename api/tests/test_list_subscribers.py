"""The owner signs someone up to a list through the API (`POST
/api/lists/{id}/subscribers/`) and on the list's panel: with `confirm` only a
link is emailed, else the client goes on the list at once with consent `api`;
a list's public flag and sign-up address; consent read-only on the client."""

import pytest

from api.tests.conftest import triggers
from core.models import Client, ClientList, OutboxEmail
from core.services.deliverability import UnsubscribeTarget, client_unsubscribe
from core.tests.factories import ClientFactory


@pytest.fixture(autouse=True)
def _emails_wait_in_the_outbox(settings):
    settings.OUTBOX_SENDER_THREADS = 0


@pytest.fixture
def news(owner):
    return ClientList.objects.create(owner=owner, name="News")


def url(client_list):
    return f"/api/lists/{client_list.pk}/subscribers/"


def test_with_confirm_only_a_link_is_emailed(api, owner, news):
    answer = api.as_(owner).post(
        url(news), {"email": "zoe@example.com", "full_name": "Zoe", "confirm": True}, format="json"
    )
    assert answer.status_code == 202, answer.json()
    assert answer.json() == {
        "detail": "A link to confirm was emailed to zoe@example.com; they join the list when they open it.",
        "confirmation_sent": True,
        "client": None,
        "unsubscribed": False,
        "suppressed": False,
    }
    assert OutboxEmail.objects.get().kind == "signup_confirm"
    assert not Client.objects.exists() and not news.clients.exists()


def test_without_confirm_the_client_is_on_the_list_at_once_with_consent_api(api, owner, news):
    mine = ClientFactory(owner=owner, email="Ann@Example.com", full_name="Ann")
    client = api.as_(owner)
    created = client.post(url(news), {"email": "zoe@example.com", "full_name": "Zoe"}, format="json")
    assert created.status_code == 201, created.json()
    zoe = Client.objects.get(email="zoe@example.com")
    assert created.json()["client"] == zoe.pk and created.json()["confirmation_sent"] is False
    record = client.get(f"/api/clients/{zoe.pk}/").json()
    assert record["consent_source"] == "api" and record["consent_at"] and record["lists"] == [news.pk]
    assert record["consent_url"] is None and record["consent_ip"] is None

    reused = client.post(url(news), {"email": "ann@example.com", "full_name": "Someone"}, format="json")
    assert reused.status_code == 201 and reused.json()["client"] == mine.pk
    assert set(news.clients.all()) == {zoe, mine}
    assert not OutboxEmail.objects.exists()


def test_an_unsubscribed_client_stays_unsubscribed_and_the_answer_says_so(api, owner, news):
    gone = ClientFactory(owner=owner, email="gone@example.com")
    client_unsubscribe(target=UnsubscribeTarget(client=gone, mailing_id=None))
    answer = api.as_(owner).post(url(news), {"email": "gone@example.com", "full_name": "Gone"}, format="json")
    assert answer.status_code == 201 and answer.json()["unsubscribed"] is True
    assert "has unsubscribed" in answer.json()["detail"]
    gone.refresh_from_db()
    assert gone.unsubscribed_at is not None


def test_another_owners_list_is_not_found_and_bad_input_is_named(api, owner, other_user, news):
    theirs = ClientList.objects.create(owner=other_user, name="Theirs")
    client = api.as_(owner)
    assert client.post(url(theirs), {"email": "zoe@example.com", "full_name": "Zoe"}, format="json").status_code == 404
    bad = client.post(url(news), {"email": "nope", "colour": "red", "confirm": "maybe"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) == {"email", "full_name", "colour", "confirm"}
    two_lines = client.post(url(news), {"email": "zoe@example.com", "full_name": "Zoe\r\nBcc: x"}, format="json")
    assert two_lines.json() == {"full_name": ["Must be a single line (no line breaks)."]}
    assert not Client.objects.exists() and not OutboxEmail.objects.exists()


def test_past_the_daily_emails_to_one_address_429(api, owner, news, settings):
    settings.SIGNUP_MAILS_PER_ADDRESS_PER_DAY = 1
    client = api.as_(owner)
    body = {"email": "zoe@example.com", "full_name": "Zoe", "confirm": True}
    assert client.post(url(news), body, format="json").status_code == 202
    refused = client.post(url(news), body, format="json")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert OutboxEmail.objects.count() == 1


def test_a_list_is_made_public_and_shows_its_sign_up_address(api, owner, news, settings):
    settings.SITE_URL = "https://mail.example.com"
    client = api.as_(owner)
    body = client.patch(f"/api/lists/{news.pk}/", {"is_public": True}, format="json").json()
    assert body["is_public"] is True and len(body["signup_token"]) >= 32
    assert body["signup_url"] == f"https://mail.example.com/subscribe/{body['signup_token']}/"
    refused = client.patch(f"/api/lists/{news.pk}/", {"signup_token": "mine"}, format="json")
    assert refused.status_code == 400 and set(refused.json()) == {"signup_token"}
    news.refresh_from_db()
    assert news.signup_token == body["signup_token"]
    other = ClientList.objects.create(owner=owner, name="Other")
    assert other.signup_token != news.signup_token


def test_consent_cannot_be_written_through_the_client_api(api, owner):
    zoe = ClientFactory(owner=owner)
    answer = api.as_(owner).patch(f"/api/clients/{zoe.pk}/", {"consent_source": "page"}, format="json")
    assert answer.status_code == 400 and set(answer.json()) == {"consent_source"}
    zoe.refresh_from_db()
    assert zoe.consent_source == ""
    assert api.get(f"/api/clients/{zoe.pk}/").json()["consent_source"] is None  # never recorded


def test_the_lists_panel_adds_a_subscriber_and_shows_the_form_for_a_website(page, owner, news):
    news.is_public = True
    news.save()
    page.as_(owner)
    panel = page.get(f"/api/lists/{news.pk}/").content.decode()
    assert f"/subscribe/{news.signup_token}/" in panel
    assert "&lt;form method=&quot;post&quot; action=&quot;http" in panel  # the snippet, as text to copy

    added = page.post(url(news), {"email": "zoe@example.com", "full_name": "Zoe"})
    assert added.status_code == 201
    assert triggers(added)["showToast"]["message"] == "zoe@example.com is on the list."
    assert "zoe@example.com" in added.content.decode()  # the panel lists them

    asked = page.post(url(news), {"email": "amy@example.com", "full_name": "Amy", "confirm": "true"})
    assert asked.status_code == 202 and "A link to confirm was emailed" in triggers(asked)["showToast"]["message"]

    bad = page.post(url(news), {"email": "nope", "full_name": ""})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Enter a valid email address." in html and 'value="nope"' in html and 'aria-invalid="true"' in html


def test_the_list_form_makes_a_list_public_and_private_again(page, owner, news):
    page.as_(owner)
    form = page.get(f"/api/lists/{news.pk}/form/").content.decode()
    assert 'name="is_public"' in form and 'type="checkbox"' in form
    assert page.put(f"/api/lists/{news.pk}/", {"name": "News", "is_public": "on"}).status_code == 200
    news.refresh_from_db()
    assert news.is_public
    assert page.put(f"/api/lists/{news.pk}/", {"name": "News"}).status_code == 200  # the box left unticked
    news.refresh_from_db()
    assert not news.is_public


def test_a_new_sign_up_address_retires_the_old_one_but_not_links_already_sent(api, client, owner, other_user, news):
    news.is_public = True
    news.save()
    old = news.signup_token
    client.post(f"/subscribe/{old}/", {"email": "zoe@example.com", "full_name": "Zoe"})
    link = OutboxEmail.objects.get().body.split("/subscribe/confirm/")[1].split("/")[0]

    owners = api.as_(owner)
    renewed = owners.post(f"/api/lists/{news.pk}/signup-address/")
    assert renewed.status_code == 200
    new = renewed.json()["signup_token"]
    assert new != old and renewed.json()["signup_url"].endswith(f"/subscribe/{new}/")
    assert client.get(f"/subscribe/{old}/").status_code == 404
    assert client.get(f"/subscribe/{new}/").status_code == 200
    assert client.post(f"/subscribe/confirm/{link}/").status_code == 200  # the emailed link still works
    assert news.clients.filter(email="zoe@example.com").exists()

    assert api.as_(other_user).post(f"/api/lists/{news.pk}/signup-address/").status_code == 404
    news.refresh_from_db()
    assert news.signup_token == new


def test_the_panel_renews_the_address_after_asking(page, owner, news):
    news.is_public = True
    news.save()
    page.as_(owner)
    panel = page.get(f"/api/lists/{news.pk}/").content.decode()
    assert f'hx-post="/api/lists/{news.pk}/signup-address/"' in panel and "hx-confirm=" in panel
    renewed = page.post(f"/api/lists/{news.pk}/signup-address/")
    news.refresh_from_db()
    assert renewed.status_code == 200 and f"/subscribe/{news.signup_token}/" in renewed.content.decode()
    assert (
        triggers(renewed)["showToast"]["message"] == "The list has a new sign-up address; the old one no longer works."
    )
