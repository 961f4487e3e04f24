"""Account pages in a real browser: the profile's API token."""

import pytest
from rest_framework.authtoken.models import Token

from web.tests.browser import log_in, requires_chromium, shot

pytestmark = [pytest.mark.browser, requires_chromium]


@pytest.fixture
def user(transactional_db):
    from conftest import make_user

    return make_user("user@example.com")


def test_api_token_is_created_copied_once_and_revoked(page, user):
    page.set_default_timeout(10_000)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.live_url)
    log_in(page, user)
    page.goto("/accounts/profile/")
    page.get_by_text("You have no API token.").wait_for()

    page.get_by_role("button", name="Create a token").click()
    key_field = page.get_by_label("New API token")
    key = key_field.input_value()
    assert key == Token.objects.get(user=user).key
    page.get_by_role("button", name="Copy").click()
    page.get_by_role("button", name="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == key
    shot(page, "profile-api-token")

    page.goto("/accounts/profile/")
    page.get_by_text("You have an API token, created").wait_for()
    assert key_field.count() == 0  # shown once

    page.get_by_role("button", name="Revoke the token").click()
    page.get_by_text("You have no API token.").wait_for()
    assert not Token.objects.filter(user=user).exists()
