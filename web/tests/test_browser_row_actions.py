"""A mailing row offers only the actions that apply, an owner's in a menu that
stays on screen; a manager's only action is a button in view."""

import pytest
from django.conf import settings

from core.models import Mailing
from core.tests.factories import AttemptFactory, ClientFactory, MailingFactory
from web.tests.browser import log_in, requires_chromium, shot, wait_until

pytestmark = [pytest.mark.browser, requires_chromium]


def menu_items(page, mailing) -> list[str]:
    row = page.locator(f"#mailings-{mailing.pk}")
    row.get_by_role("button", name=f"Actions of mailing #{mailing.pk}").click()
    menu = row.locator(".dropdown-menu.show")
    menu.wait_for()
    menu.locator("[role=status]").wait_for(state="detached")  # the items are fetched when it opens
    items = [text.strip() for text in menu.get_by_role("button").all_inner_texts()]
    assert_in_view(page, menu)
    page.keyboard.press("Escape")
    menu.wait_for(state="hidden")
    return items


def assert_in_view(page, locator) -> None:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{box} is outside a {width} px window"


def test_rows_offer_what_applies(page, transactional_db):
    from conftest import make_user

    owner = make_user("owner@example.com")
    client = ClientFactory(owner=owner)
    waiting = MailingFactory(owner=owner, clients=[client])
    done = MailingFactory(owner=owner, clients=[client])
    Mailing.objects.filter(pk=done.pk).update(status="finished")
    failed = MailingFactory(owner=owner, clients=[client], periodicity="daily")
    Mailing.objects.filter(pk=failed.pk).update(status="running")
    AttemptFactory(mailing=failed, client=client, status="failure")
    log_in(page, owner)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/mailings/")
    page.wait_for_load_state("networkidle")

    assert menu_items(page, waiting) == ["Disable", "Send now", "Edit", "Delete"]
    assert menu_items(page, done) == ["Edit", "Delete"]  # a finished one-off: nothing to send or disable
    assert menu_items(page, failed) == ["Disable", "Send now", "Resend failed", "Edit", "Delete"]
    shot(page, "mailings-row-menu")

    # an action from the menu works in place
    row = page.locator(f"#mailings-{waiting.pk}")
    row.get_by_role("button", name=f"Actions of mailing #{waiting.pk}").click()
    # the row answers, then the whole list reloads itself on mailings-changed
    with page.expect_response(lambda answer: answer.request.method == "GET" and "/api/mailings/" in answer.url):
        row.get_by_role("button", name="Disable").click()
    wait_until(page, "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    page.locator(f"#mailings-{waiting.pk} .badge", has_text="Disabled").wait_for()
    assert menu_items(page, waiting)[0] == "Enable"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_managers_toggle_is_in_view(page, transactional_db, language):
    from conftest import make_user
    from core import roles

    owner = make_user("owner@example.com")
    mailing = MailingFactory(owner=owner, clients=[ClientFactory(owner=owner)])
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": page.live_url}])
    log_in(page, make_user("manager@example.com", roles.MANAGER, language=language))
    for size in ({"width": 1366, "height": 900}, {"width": 390, "height": 844}):
        page.set_viewport_size(size)
        page.goto("/manager/mailings/")
        toggle = page.locator(f"#mailings-{mailing.pk}").get_by_role("button")
        assert toggle.count() == 1
        assert_in_view(page, toggle)
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    shot(page, f"manager-mailings-phone-{language}")
