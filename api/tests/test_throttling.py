"""Anonymous and authenticated API use is throttled at rates set in the environment."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from core.env import env_rate


def test_user_gets_429_past_the_rate(api, owner, monkeypatch):
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "2/minute")
    client = api.as_(owner)
    assert [client.get("/api/clients/").status_code for _ in range(3)] == [200, 200, 429]


def test_anonymous_gets_429_past_the_rate_on_open_endpoints(db, monkeypatch):
    # closed endpoints answer 401 before counting; open ones (schema, sign-in) are counted
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "1/minute")
    client = APIClient()
    assert [client.get("/api/schema/").status_code for _ in range(2)] == [200, 429]


def test_rates_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("API_THROTTLE_USER", "50/Hour")
    assert env_rate("API_THROTTLE_USER", "1/minute") == "50/hour"
    monkeypatch.setenv("API_THROTTLE_USER", "lots")
    with pytest.raises(ImproperlyConfigured, match="API_THROTTLE_USER"):
        env_rate("API_THROTTLE_USER", "1/minute")
