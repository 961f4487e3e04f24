"""One-click unsubscribe (RFC 8058): the token is the only key."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from core.models import ClientEvent
from core.services.deliverability import list_unsubscribe_headers, read_unsubscribe_token, unsubscribe_token
from core.tests.factories import ClientFactory, MailingFactory


@pytest.fixture
def recipient(owner):
    return ClientFactory(owner=owner, email="reader@example.com")


@pytest.fixture
def token(recipient, owner):
    mailing = MailingFactory(owner=owner, clients=[recipient])
    return unsubscribe_token(recipient.pk, mailing.pk)


def test_headers_are_in_rfc_8058_form(token, settings):
    settings.SITE_URL = "https://mail.example.com"
    headers = list_unsubscribe_headers(token)
    assert headers["List-Unsubscribe"] == f"<https://mail.example.com/unsubscribe/{token}/>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    settings.UNSUBSCRIBE_MAILTO = "unsubscribe@example.com"
    both = list_unsubscribe_headers(token)["List-Unsubscribe"]
    assert both.startswith("<https://") and f"<mailto:unsubscribe@example.com?subject=unsubscribe%20{token}>" in both


def test_get_shows_a_confirmation_and_changes_nothing(client, token, recipient):
    response = client.get(reverse("unsubscribe", args=[token]))
    assert response.status_code == 200
    assert "Stop mailings from" in response.content.decode()
    recipient.refresh_from_db()
    assert recipient.unsubscribed_at is None


def test_one_click_post_without_cookies_or_csrf_unsubscribes_once(token, recipient):
    provider = HttpClient(enforce_csrf_checks=True)
    url = reverse("unsubscribe", args=[token])
    for _ in range(2):
        response = provider.post(
            url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
    recipient.refresh_from_db()
    assert recipient.unsubscribed_at is not None
    assert recipient.unsubscribe_method == "one_click"
    assert ClientEvent.objects.filter(client=recipient, kind="unsubscribed").count() == 1
    assert "You are unsubscribed" in response.content.decode()


def test_button_on_the_page_unsubscribes_and_offers_a_way_back(client, token, recipient):
    client.post(reverse("unsubscribe", args=[token]))
    recipient.refresh_from_db()
    assert recipient.unsubscribe_method == "link"
    response = client.post(reverse("resubscribe", args=[token]))
    assert "You are subscribed again" in response.content.decode()
    recipient.refresh_from_db()
    assert recipient.unsubscribed_at is None
    assert list(ClientEvent.objects.values_list("kind", flat=True).order_by("id")) == ["unsubscribed", "resubscribed"]


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "x" + t, lambda t: "garbage", lambda t: t + ":"])
def test_tampered_token_is_404_and_changes_nothing(client, token, recipient, mangle):
    bad = mangle(token)
    assert client.get(reverse("unsubscribe", args=[bad])).status_code == 404
    assert client.post(reverse("unsubscribe", args=[bad])).status_code == 404
    recipient.refresh_from_db()
    assert recipient.unsubscribed_at is None


def test_token_signed_for_something_else_is_refused(recipient):
    from django.core import signing

    foreign = signing.dumps([recipient.pk, None], salt="password-reset", compress=True)
    assert read_unsubscribe_token(foreign) is None
