"""API tokens on the profile page: see whether one exists, create one (its key
shown once), replace it and revoke it."""

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from rest_framework.authtoken.models import Token

KEY = re.compile(r'id="api-token-key" value="([0-9a-f]{40})"')


def api_status(key: str) -> int:
    return HttpClient().get(reverse("api:auth:me"), HTTP_AUTHORIZATION=f"Token {key}").status_code


@pytest.mark.parametrize("actor", ["owner", "manager"])
def test_a_token_is_created_shown_once_replaced_and_revoked(client, db, actor, request):
    user = request.getfixturevalue(actor)
    client.force_login(user)
    assert "You have no API token." in client.get(reverse("profile")).content.decode()

    response = client.post(reverse("api-token-create"))
    page = response.content.decode()
    key = KEY.search(page).group(1)
    assert "it is not shown again" in page
    assert "no-store" in response["Cache-Control"]
    assert api_status(key) == 200

    page = client.get(reverse("profile")).content.decode()
    assert "You have an API token (created" in page
    assert key not in page

    replaced = KEY.search(client.post(reverse("api-token-create")).content.decode()).group(1)
    assert replaced != key
    assert (api_status(key), api_status(replaced)) == (401, 200)

    page = client.post(reverse("api-token-revoke"), follow=True).content.decode()
    assert "Your API token has been revoked" in page and "You have no API token." in page
    assert api_status(replaced) == 401
    assert not Token.objects.filter(user=user).exists()


def test_anonymous_visitors_are_sent_to_log_in_and_get_no_token(client, owner):
    for name in ("api-token-create", "api-token-revoke"):
        response = client.post(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Token.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(owner):
    token = Token.objects.create(user=owner)
    client = HttpClient(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(reverse("api-token-create")).status_code == 403
    assert client.post(reverse("api-token-revoke")).status_code == 403
    assert list(Token.objects.filter(user=owner)) == [token]


def test_revoking_touches_only_ones_own_token(client, owner, other_user):
    theirs = Token.objects.create(user=other_user)
    Token.objects.create(user=owner)
    client.force_login(owner)
    client.post(reverse("api-token-revoke"))
    assert list(Token.objects.all()) == [theirs]
