"""A new password ends every other way in: API tokens stop working and the
user's other sessions are logged out, the session that changed it stays.
Blocking ends the sessions for good: unblocking does not bring them back."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import PASSWORD
from core.services.users import user_set_blocked

NEW_PASSWORD = "another-Long-passphrase-42"


def logged_in(user) -> Client:
    browser = Client()
    assert browser.post(reverse("login"), {"username": user.email, "password": PASSWORD}).status_code == 302
    return browser


def still_logged_in(browser: Client) -> bool:
    return browser.get(reverse("profile")).status_code == 200


def token_works(key: str) -> bool:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get(reverse("api:auth:me")).status_code == 200


@pytest.fixture
def token(owner):
    return Token.objects.create(user=owner).key


def test_changing_the_password_on_the_page_revokes_tokens_and_other_sessions(owner, token):
    here, elsewhere = logged_in(owner), logged_in(owner)
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert here.post(reverse("password-change"), data).status_code == 302
    assert still_logged_in(here)
    assert not still_logged_in(elsewhere)
    assert not token_works(token)


def test_changing_the_password_through_the_api_revokes_tokens_and_other_sessions(owner, token):
    elsewhere = logged_in(owner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert api.post(reverse("api:auth:set-password"), data, format="json").status_code == 204
    assert not token_works(token)
    assert not still_logged_in(elsewhere)


def test_changing_the_password_through_the_api_from_a_page_keeps_that_session(owner, token):
    here, elsewhere = logged_in(owner), logged_in(owner)
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert here.post(reverse("api:auth:set-password"), data, content_type="application/json").status_code == 204
    assert still_logged_in(here)
    assert not still_logged_in(elsewhere)
    assert not token_works(token)


def test_unblocking_does_not_bring_back_the_sessions_from_before(owner, manager):
    browser = logged_in(owner)
    user_set_blocked(user=owner, blocked=True, by=manager)
    assert not still_logged_in(browser)
    user_set_blocked(user=owner, blocked=False, by=manager)
    assert not still_logged_in(browser)
    assert still_logged_in(logged_in(owner))
