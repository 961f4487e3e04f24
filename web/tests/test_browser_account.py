"""Account pages in a real browser: the profile's API token, the time zone list."""

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
    page.get_by_text("You have an API token (created").wait_for()
    assert key_field.count() == 0  # shown once

    page.get_by_role("button", name="Revoke the token").click()
    page.get_by_text("You have no API token.").wait_for()
    assert not Token.objects.filter(user=user).exists()


def test_sign_up_preselects_the_browsers_zone_and_finds_zones_as_you_type(page, transactional_db):
    page.set_default_timeout(10_000)
    # Chromium names this zone by its old alias, Asia/Calcutta; the list has Asia/Kolkata.
    page.context.new_cdp_session(page).send("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Kolkata"})
    page.goto("/accounts/signup/")
    select = page.get_by_label("Time zone", exact=True)
    assert select.input_value() == "Asia/Kolkata"
    assert page.locator("script:not([src])").count() == 0

    search = page.get_by_label("Search by city or UTC offset")
    search.fill("tokyo")
    assert select.input_value() == "Asia/Tokyo"
    assert select.locator("option:not([hidden])").all_inner_texts() == ["Tokyo (UTC+09:00)"]
    search.fill("UTC+05:45")
    assert select.input_value() == "Asia/Kathmandu"
    search.fill("")
    assert select.locator("optgroup:not([hidden])").count() == 10
    shot(page, "signup-time-zone")
