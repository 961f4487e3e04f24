import json

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The real hasher takes most of a second per test user on a small machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    """A JSON client; `api.as_(user)` logs it in with the user's API token."""
    client = APIClient()

    def as_(user):
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    client.as_ = as_
    return client


@pytest.fixture
def page(client):
    """Our own pages: a session and `HX-Request: true` on every request."""

    class Page:
        def as_(self, user):
            client.force_login(user)
            return self

        def get(self, url, data=None):
            return client.get(url, data, **HX)

        def post(self, url, data=None, **extra):
            return client.post(url, data or {}, **HX, **extra)

        def put(self, url, data):
            from urllib.parse import urlencode

            return client.put(url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded", **HX)

        def delete(self, url):
            return client.delete(url, **HX)

    return Page()


def triggers(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger", "{}"))
