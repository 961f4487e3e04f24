"""The account API's language: optional at sign-up (the request's language
otherwise), read and changed through /api/auth/users/me/."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import PASSWORD
from core.models import User


@pytest.fixture
def api():
    return APIClient()


def register(api, email, headers=None, **extra):
    data = {"email": email, "full_name": "New Person", "password": PASSWORD, "time_zone": "Europe/Paris", **extra}
    return api.post(reverse("api:auth:register"), data, format="json", headers=headers)


def test_sign_up_stores_the_language_given_or_the_requests(api, db):
    assert register(api, "given@example.com", language="ru").status_code == 201
    assert register(api, "browser@example.com", headers={"accept-language": "ru-RU,ru;q=0.9"}).status_code == 201
    assert register(api, "plain@example.com").status_code == 201
    languages = dict(User.objects.values_list("email", "language"))
    assert languages == {"given@example.com": "ru", "browser@example.com": "ru", "plain@example.com": "en"}


@pytest.mark.parametrize("bad", ["de", "", "RU", None, ["ru"]])
def test_sign_up_refuses_an_unknown_language(api, db, bad):
    response = register(api, "new@example.com", language=bad)
    assert response.status_code == 400 and list(response.json()) == ["language"]
    assert not User.objects.exists()


def test_me_reads_and_changes_the_language(api, owner):
    api.force_authenticate(owner)
    me = reverse("api:auth:me")
    assert api.get(me).json()["language"] == "en"
    response = api.patch(me, {"language": "ru"}, format="json")
    assert response.status_code == 200 and response.json()["language"] == "ru"
    owner.refresh_from_db()
    assert owner.language == "ru"
    for bad in ("de", "", None, 7):
        refused = api.patch(me, {"language": bad, "full_name": "Renamed"}, format="json")
        assert refused.status_code == 400 and list(refused.json()) == ["language"]
    owner.refresh_from_db()
    assert (owner.language, owner.full_name) == ("ru", "Owner")
