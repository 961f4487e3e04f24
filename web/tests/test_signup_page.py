"""A public list's sign-up page and the confirmation link it emails: no login,
the owner's language, a trap for bots, a form other websites may post, limits
answered with 429, and a link that asks before it confirms."""

import re

import pytest
from django.test import Client as Browser
from django.urls import reverse

from core.models import Client, ClientList, OutboxEmail

LINK = re.compile(r"https?://\S+(/subscribe/confirm/[^/\s]+/)")
PERSON = {"email": "zoe@example.com", "full_name": "Zoe Reader", "website": ""}


@pytest.fixture(autouse=True)
def _emails_wait_in_the_outbox(settings):
    settings.OUTBOX_SENDER_THREADS = 0


@pytest.fixture
def news(owner):
    return ClientList.objects.create(owner=owner, name="Bakery news", description="Fresh loaves.", is_public=True)


def page(client_list):
    return reverse("subscribe", args=[client_list.signup_token])


def confirm_path() -> str:
    return LINK.search(OutboxEmail.objects.get(recipient="zoe@example.com").body).group(1)


def test_the_page_shows_the_list_and_a_labelled_form(client, news):
    response = client.get(page(news))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bakery news" in html and "Fresh loaves." in html
    assert '<label class="form-label" for="id_email">Email</label>' in html
    assert '<label class="form-label" for="id_full_name">Name</label>' in html
    assert 'class="signup-trap" aria-hidden="true"' in html and 'tabindex="-1"' in html


def test_a_list_that_is_not_public_or_does_not_exist_is_not_found(client, owner):
    private = ClientList.objects.create(owner=owner, name="Private")
    assert client.get(page(private)).status_code == 404
    assert client.post(page(private), PERSON).status_code == 404
    assert client.get(reverse("subscribe", args=["no-such-list"])).status_code == 404
    assert not OutboxEmail.objects.exists()


def test_signing_up_says_check_your_email_and_sends_a_link_but_stores_no_client(client, news):
    response = client.post(page(news), PERSON)
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert OutboxEmail.objects.get().kind == "signup_confirm"
    assert not Client.objects.exists()


def test_someone_already_subscribed_sees_the_same_page(client, news, owner):
    news.clients.add(Client.objects.create(owner=owner, email="zoe@example.com", full_name="Zoe"))
    response = client.post(page(news), PERSON)
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    assert OutboxEmail.objects.get().kind == "signup_already"


def test_a_bot_filling_the_trap_gets_the_same_answer_and_nothing_happens(client, news):
    response = client.post(page(news), {**PERSON, "website": "https://spam.example"})
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    assert not OutboxEmail.objects.exists() and not Client.objects.exists()


def test_bad_input_is_answered_with_the_form_and_its_messages(client, news):
    response = client.post(page(news), {"email": "not-an-address", "full_name": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html and "This field is required." in html
    assert 'value="not-an-address"' in html
    two_lines = client.post(page(news), {**PERSON, "full_name": "Zoe\r\nBcc: x"})
    assert two_lines.status_code == 400 and "Must be a single line" in two_lines.content.decode()
    assert not OutboxEmail.objects.exists()


def test_another_website_posts_the_form_without_a_csrf_token(news):
    elsewhere = Browser(enforce_csrf_checks=True)
    response = elsewhere.post(
        page(news), PERSON, headers={"Origin": "https://bakery.example", "Referer": "https://bakery.example/news"}
    )
    assert response.status_code == 200
    confirming = Browser(enforce_csrf_checks=True)
    path = confirm_path()
    form = confirming.get(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()).group(1)
    assert confirming.post(path, {"csrfmiddlewaretoken": token}).status_code == 200
    zoe = Client.objects.get(email="zoe@example.com")
    assert (zoe.consent_source, zoe.consent_url) == ("snippet", "https://bakery.example/news")


def test_our_own_page_is_recorded_as_the_source(client, news):
    client.post(page(news), PERSON, headers={"Referer": f"http://testserver{page(news)}"})
    client.post(confirm_path(), REMOTE_ADDR="198.51.100.7")
    zoe = Client.objects.get(email="zoe@example.com")
    assert zoe.consent_source == "page" and zoe.consent_url == f"http://testserver{page(news)}"
    assert zoe.consent_ip == "198.51.100.7"


def test_past_the_limits_a_429_page_and_nothing_sent(client, news, settings):
    settings.SIGNUP_MAILS_PER_ADDRESS_PER_DAY = 1
    settings.SIGNUP_REQUESTS_PER_IP_PER_HOUR = 3
    client.post(page(news), PERSON)
    refused = client.post(page(news), PERSON)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "enough sign-up emails for today" in refused.content.decode()
    client.post(page(news), {**PERSON, "email": "amy@example.com"})
    from_network = client.post(page(news), {**PERSON, "email": "bob@example.com"})
    assert from_network.status_code == 429 and "Too many sign-ups from your network" in from_network.content.decode()
    assert sorted(OutboxEmail.objects.values_list("recipient", flat=True)) == ["amy@example.com", "zoe@example.com"]


def test_the_link_asks_first_confirms_once_and_says_so(client, news):
    client.post(page(news), PERSON)
    path = confirm_path()
    asked = client.get(path)  # what a mail scanner opening the link sees: nothing changes
    assert asked.status_code == 200 and "Yes, subscribe me" in asked.content.decode()
    assert not Client.objects.exists()

    confirmed = client.post(path)
    assert "Your subscription is confirmed" in confirmed.content.decode()
    assert list(Client.objects.get(email="zoe@example.com").lists.all()) == [news]
    again = client.post(path)
    assert again.status_code == 200 and "Already confirmed" in again.content.decode()


def test_a_tampered_link_is_refused_with_a_clear_page(client, news):
    client.post(page(news), PERSON)
    path = confirm_path()
    broken = path[:-3] + ("x" if path[-3] != "x" else "y") + path[-2:]
    for method in (client.get, client.post):
        response = method(broken)
        assert response.status_code == 400
        assert "The link is not valid" in response.content.decode()
    assert not Client.objects.exists()


def test_an_expired_link_says_so(client, news, settings):
    import time_machine

    with time_machine.travel("2026-06-01 09:00Z", tick=False):
        client.post(page(news), PERSON)
    with time_machine.travel("2026-06-04 09:01Z", tick=False):
        response = client.post(confirm_path())
    assert response.status_code == 400 and "The link has expired" in response.content.decode()
    assert not Client.objects.exists()


def test_a_suppressed_address_is_told_politely_that_mail_stays_paused(client, news, owner):
    from django.utils import timezone

    Client.objects.create(owner=owner, email="zoe@example.com", full_name="Zoe", suppressed_at=timezone.now())
    client.post(page(news), PERSON)
    html = client.post(confirm_path()).content.decode()
    assert "Earlier messages to this address could not be delivered" in html
    assert "550" not in html and owner.email not in html


def test_the_pages_speak_the_owners_language(client, news, owner):
    owner.language = "ru"
    owner.save()
    html = client.get(page(news)).content.decode()
    assert 'lang="ru"' in html and "Подписаться" in html
    client.post(page(news), PERSON)
    email = OutboxEmail.objects.get()
    assert email.subject == "Подтвердите подписку на Bakery news"
    assert "Да, подпишите меня" in client.get(confirm_path()).content.decode()


def test_consent_is_shown_on_the_clients_detail(client, news, owner):
    client.post(page(news), PERSON, headers={"Origin": "https://bakery.example", "Referer": "https://bakery.example/"})
    client.post(confirm_path(), REMOTE_ADDR="198.51.100.7")
    zoe = Client.objects.get(email="zoe@example.com")
    client.force_login(owner)
    html = client.get(f"/api/clients/{zoe.pk}/", headers={"HX-Request": "true"}).content.decode()
    consent = re.search(r"<dd[^>]*data-consent>(.*?)</dd>", html, re.S).group(1)
    assert "Sign-up form on another website" in consent
    assert "https://bakery.example/" in consent and "confirmed from 198.51.100.7" in consent
