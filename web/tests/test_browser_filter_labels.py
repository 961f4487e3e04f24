"""An empty filter says "Any" (not "---------" or "Unknown"), in both languages."""

import pytest
from django.conf import settings

from web.tests.browser import log_in, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium]


@pytest.mark.parametrize(("language", "any_"), [("en", "Any"), ("ru", "Все")])  # noqa: RUF001
def test_empty_filters_say_any(page, transactional_db, language, any_):
    from conftest import make_user
    from core import roles

    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": page.live_url}])
    log_in(page, make_user("manager@example.com", roles.MANAGER, language=language))
    page.goto("/manager/mailings/")
    selects = page.locator("#mailings-filters select")
    assert selects.count() == 4  # status, periodicity, enabled, owner
    for index in range(selects.count()):
        assert selects.nth(index).locator("option:checked").inner_text() == any_
