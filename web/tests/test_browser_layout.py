"""The layout in a real browser: the navbar by role, toasts from htmx answers,
the Russian switch, and the modal and progress partials used by keyboard."""

import re

import pytest

from web.tests.browser import log_in, requires_chromium, shot, wait_until

pytestmark = [pytest.mark.browser, requires_chromium]


def section_links(page) -> list[str]:
    return [text.strip() for text in page.locator("#nav-sections .nav-link").all_inner_texts()]


def test_navbar_by_role(page, transactional_db, django_user_model):
    from conftest import make_user
    from core import roles

    page.goto("/")
    assert section_links(page) == ["Blog"]

    log_in(page, make_user("user@example.com"))
    page.goto("/")
    assert section_links(page) == ["Mailings", "Clients", "Lists", "Messages", "Reports", "Blog"]
    page.locator("#nav-sections").get_by_role("link", name="Clients").click()
    page.wait_for_url("**/clients/")
    assert page.locator("h1").inner_text() == "Clients"
    assert page.locator("#nav-sections [aria-current=page]").inner_text() == "Clients"
    shot(page, "page-shell-clients")
    page.locator("#nav-sections").get_by_role("link", name="Lists").click()
    page.wait_for_url("**/lists/")
    assert page.locator("h1").inner_text() == "Lists"
    assert page.locator("#nav-sections [aria-current=page]").inner_text() == "Lists"

    page.context.clear_cookies()
    log_in(page, make_user("manager@example.com", roles.MANAGER))
    page.goto("/")
    assert section_links(page)[5:7] == ["All mailings", "Users"]
    page.locator("#nav-sections").get_by_role("link", name="All mailings").click()
    page.wait_for_url("**/manager/mailings/")
    assert page.locator(".breadcrumb").inner_text().split() == ["Home", "Manager", "All", "mailings"]
    shot(page, "navbar-manager")

    page.context.clear_cookies()
    log_in(page, make_user("admin@example.com", None))
    page.goto("/")
    assert page.get_by_role("link", name="Admin site").is_visible()


def test_navbar_collapses_on_a_phone(page, transactional_db):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/")
    assert not page.locator("#nav-sections").is_visible()
    page.get_by_role("button", name="Toggle navigation").click()
    page.locator("#nav-sections").get_by_role("link", name="Blog").wait_for()
    shot(page, "navbar-phone")


@pytest.mark.urls("web.tests.demo_urls")
def test_toasts_from_an_htmx_answer(page, transactional_db):
    page.goto("/demo/widgets/")
    page.locator("#save").click()
    toasts = page.locator("#toasts .toast")
    toasts.nth(1).wait_for()
    assert toasts.nth(0).inner_text() == "Client <b>saved</b>."  # text, never markup
    assert "text-bg-success" in toasts.nth(0).get_attribute("class")
    assert toasts.nth(1).get_attribute("role") == "alert"
    assert "text-bg-danger" in toasts.nth(1).get_attribute("class")
    assert page.locator("#toasts").get_attribute("aria-live") == "polite"
    wait_until(page, "document.querySelectorAll('#toasts .toast.showing').length === 0")  # faded in
    shot(page, "toasts")
    # Errors stay until closed; closing removes them.
    toasts.nth(1).get_by_role("button", name="Close").click()
    wait_until(page, "document.querySelectorAll('#toasts .toast[data-level=error]').length === 0")


@pytest.mark.urls("web.tests.demo_urls")
def test_modal_by_keyboard(page, transactional_db):
    page.goto("/demo/widgets/")
    page.locator("#open").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="New client")
    dialog.wait_for()
    field = page.get_by_label("Email")
    field.wait_for()
    wait_until(page, "document.activeElement && document.activeElement.id === 'email'")
    shot(page, "modal")
    # Tab stays inside the dialog.
    for _ in range(4):
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('client-form').contains(document.activeElement)")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    wait_until(page, "document.activeElement && document.activeElement.id === 'open'")  # back on the opener

    # Saving closes the dialog through the closeModal event and shows a toast.
    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement && document.activeElement.id === 'email'")
    page.keyboard.type("ann@example.com")
    page.keyboard.press("Enter")
    dialog.wait_for(state="hidden")
    page.locator("#toasts .toast", has_text="Created ann@example.com.").wait_for()


@pytest.mark.urls("web.tests.demo_urls")
def test_progress_bar_polls_until_done(page, transactional_db):
    from web.tests import demo_urls

    page.goto("/demo/widgets/")
    bar = page.get_by_role("progressbar")
    wait_until(
        page, "document.querySelector('[role=progressbar]').getAttribute('aria-valuenow') === '100'", timeout=10_000
    )
    assert bar.get_attribute("aria-busy") == "false"
    calls = len(demo_urls.progress_calls)
    page.wait_for_timeout(2500)
    assert len(demo_urls.progress_calls) == calls == 2, "polling stops when the run is done"
    shot(page, "progress-done")


def test_switching_to_russian(page, transactional_db):
    from conftest import make_user

    log_in(page, make_user("user@example.com"))
    page.goto("/reports/")
    page.get_by_role("button", name=re.compile("Language")).click()
    page.get_by_role("button", name="Русский").click()
    page.wait_for_url("**/reports/")
    assert page.locator("h1").inner_text() == "Отчёты"
    assert page.locator("html").get_attribute("lang") == "ru"
    page.goto("/")
    assert "Активные рассылки" in page.locator("main").inner_text()
    assert section_links(page)[:2] == ["Рассылки", "Клиенты"]
    shot(page, "home-ru")
