"""Who a failed log-in counts against (django-axes) and who the API throttles:
every spelling of an address is one account; behind the proxy (BEHIND_PROXY)
the client's address comes from the proxy's X-Forwarded-For, without it the
header is ignored; a stranger's failures lock out nobody else."""

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from conftest import PASSWORD
from core.tests.test_settings import run

PROXY = "10.0.0.1"


def via_proxy(client_address: str, sent: str = "") -> dict:
    """What the proxy hands on: its own address as the connection's, and the
    client's appended to whatever X-Forwarded-For the client sent."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{sent}, {client_address}" if sent else client_address}


@pytest.fixture
def behind_proxy(settings):
    """What BEHIND_PROXY=1 with one proxy sets (test_behind_proxy_sets_the_proxy_count proves it)."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def token_login(api, email, password=PASSWORD, **extra):
    return api.post(reverse("api:auth:token-login"), {"email": email, "password": password}, format="json", **extra)


def test_every_spelling_of_the_admin_address_shares_one_count(client, admin_user):
    spellings = [
        "ADMIN@example.com",
        "Admin@example.com",
        "aDmin@example.com",
        "admin@EXAMPLE.com",
        "AdMiN@Example.Com",
    ]
    for number, spelling in enumerate(spellings[: settings.AXES_FAILURE_LIMIT]):
        credentials = {"username": spelling, "password": "wrong"}
        client.post(reverse("admin:login"), credentials, REMOTE_ADDR=f"198.51.100.{number}")
    right = {"username": "admin@example.com", "password": PASSWORD}
    response = client.post(reverse("admin:login"), right, REMOTE_ADDR="203.0.113.77")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_behind_the_proxy_a_strangers_failures_lock_out_nobody_else(client, owner, manager, behind_proxy):
    api = APIClient()
    for number in range(settings.AXES_FAILURE_LIMIT + 1):
        token_login(api, f"guess{number}@example.com", "wrong", **via_proxy("203.0.113.5"))
    assert token_login(api, "owner@example.com", **via_proxy("198.51.100.7")).status_code == 200
    credentials = {"username": "manager@example.com", "password": PASSWORD}
    assert client.post(reverse("login"), credentials, **via_proxy("198.51.100.8")).status_code == 302


def test_behind_the_proxy_throttling_counts_the_client_not_what_it_sends(db, behind_proxy, monkeypatch):
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "3/minute")
    api = APIClient()
    answers = [
        api.post(
            reverse("api:auth:resend-activation"),
            {"email": "nobody@example.com"},
            format="json",
            **via_proxy("203.0.113.5", sent=f"192.0.2.{number}"),
        ).status_code
        for number in range(4)
    ]
    assert answers == [204, 204, 204, 429]


def test_without_the_proxy_setting_the_header_is_ignored(db, monkeypatch):
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "3/minute")
    api = APIClient()
    answers = [
        api.post(
            reverse("api:auth:resend-activation"),
            {"email": "nobody@example.com"},
            format="json",
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        ).status_code
        for number in range(4)
    ]
    assert answers == [204, 204, 204, 429]


@pytest.mark.parametrize(
    ("env", "proxies"), [({}, 0), ({"BEHIND_PROXY": "1"}, 1), ({"BEHIND_PROXY": "1", "PROXY_COUNT": "2"}, 2)]
)
def test_behind_proxy_sets_the_proxy_count(env, proxies):
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.REST_FRAMEWORK['NUM_PROXIES'])"
    )
    result = run(code, DEBUG="1", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(proxies)
