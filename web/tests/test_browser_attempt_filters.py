"""A mailing's page keeps its mailing: its attempts filter chooses clients by
name, as they are typed, and never shows another mailing's attempts; the
reports choose mailings by their subject. Nobody types an id."""

import pytest

from core.dispatch.statistics import recount_all_stale
from core.tests.factories import AttemptFactory, ClientFactory, MailingFactory, MessageFactory
from web.tests.browser import log_in, requires_chromium, shot, wait_until
from web.tests.test_browser_audit import axe_problems

pytestmark = [pytest.mark.browser, requires_chromium]


def make_stranger():
    from conftest import make_user

    return make_user("stranger@example.com")


@pytest.fixture
def owner(transactional_db):
    from conftest import make_user

    return make_user("owner@example.com")


def test_a_mailings_attempts_stay_its_own(page, owner):
    ann = ClientFactory(owner=owner, email="ann@example.com", full_name="Ann Archer")
    bob = ClientFactory(owner=owner, email="bob@example.com", full_name="Bob Baker")
    mailing = MailingFactory(owner=owner, clients=[ann, bob])
    other = MailingFactory(owner=owner, clients=[ann])
    for client in (ann, bob):
        AttemptFactory(mailing=mailing, client=client, status="success")
    AttemptFactory(mailing=other, client=ann, status="failure", server_response="550 other mailing")
    log_in(page, owner)
    page.goto(f"/mailings/{mailing.pk}/")
    rows = page.locator("#attempts-rows tr")
    rows.nth(1).wait_for()
    page.wait_for_load_state("networkidle")
    filters = page.locator("#attempts-filters")
    assert filters.locator("input:visible").evaluate_all("inputs => inputs.map(i => i.name)") == [
        "client_search",
        "run_at_after",
        "run_at_before",
        "attempted_at_after",
        "attempted_at_before",
    ]
    filters.get_by_role("combobox", name="Client").fill("Archer")
    filters.get_by_role("combobox", name="Client").press("Enter")
    wait_until(page, "document.querySelectorAll('#attempts-rows tr').length === 1")
    assert "ann@example.com" in rows.first.inner_text()
    assert "550 other mailing" not in page.locator("#attempts-list").inner_text()
    shot(page, "mailing-attempts-filtered")


def test_a_client_is_chosen_by_name_as_it_is_typed(page, owner):
    ann = ClientFactory(owner=owner, email="ann@example.com", full_name="Ann Archer")
    anna = ClientFactory(owner=owner, email="anna@example.com", full_name="Anna Archibald")
    bob = ClientFactory(owner=owner, email="bob@example.com", full_name="Bob Baker")
    ClientFactory(owner=make_stranger(), email="annie@example.com", full_name="Annie Stranger")
    mailing = MailingFactory(owner=owner, clients=[ann, anna, bob])
    for client in (ann, anna, bob):
        AttemptFactory(mailing=mailing, client=client, status="success")
    log_in(page, owner)
    page.goto(f"/mailings/{mailing.pk}/")
    page.locator("#attempts-rows tr").nth(2).wait_for()
    page.wait_for_load_state("networkidle")
    chooser = page.get_by_role("combobox", name="Client")
    chooser.press_sequentially("arch")
    suggestions = page.get_by_role("listbox", name="Client")
    suggestions.wait_for()
    options = suggestions.get_by_role("option")
    wait_until(page, "document.querySelectorAll('[role=listbox] [role=option]').length === 2")
    # only the owner's own clients, by name and email
    assert options.all_inner_texts() == ["Ann Archer — ann@example.com", "Anna Archibald — anna@example.com"]
    assert chooser.get_attribute("aria-expanded") == "true"
    shot(page, "attempts-client-suggestions")
    assert axe_problems(page, "suggestions open") == []
    # by keyboard: Down, Down, Up back to Ann Archer; Enter chooses her and filters at once
    chooser.press("ArrowDown")
    chooser.press("ArrowDown")
    assert chooser.get_attribute("aria-activedescendant") == options.nth(1).get_attribute("id")
    chooser.press("ArrowUp")
    assert chooser.get_attribute("aria-activedescendant") == options.nth(0).get_attribute("id")
    assert options.nth(0).get_attribute("aria-selected") == "true"
    chooser.press("Enter")
    wait_until(page, "document.querySelectorAll('#attempts-rows tr').length === 1")
    rows = page.locator("#attempts-rows tr")
    assert "ann@example.com" in rows.first.inner_text()
    assert page.locator("#id_filter_client").input_value() == str(ann.pk)
    assert page.get_by_role("combobox", name="Client").input_value() == "Ann Archer"
    shot(page, "attempts-client-chosen")

    # by mouse: another name replaces the choice
    chooser = page.get_by_role("combobox", name="Client")
    chooser.fill("")
    chooser.press_sequentially("bak")
    page.get_by_role("option", name="Bob Baker — bob@example.com").click()
    page.locator("#attempts-rows tr", has_text="bob@example.com").wait_for()
    wait_until(page, "document.querySelectorAll('#attempts-rows tr').length === 1")
    # Esc closes the suggestions
    chooser = page.get_by_role("combobox", name="Client")
    chooser.fill("")
    chooser.press_sequentially("ann")
    page.get_by_role("listbox", name="Client").wait_for()
    chooser.press("Escape")
    page.get_by_role("listbox", name="Client").wait_for(state="hidden")
    assert chooser.get_attribute("aria-expanded") == "false"


def test_reports_choose_a_mailing_by_its_subject(page, owner):
    client = ClientFactory(owner=owner)
    news = MailingFactory(owner=owner, clients=[client], message=MessageFactory(owner=owner, subject="Weekly news"))
    offers = MailingFactory(owner=owner, clients=[client], message=MessageFactory(owner=owner, subject="Offers"))
    for mailing in (news, offers):
        AttemptFactory(mailing=mailing, client=client, status="success")
    recount_all_stale()
    log_in(page, owner)
    page.goto("/reports/")
    page.locator(f"#reports-{offers.pk}").wait_for()
    page.wait_for_load_state("networkidle")
    filters = page.locator("#reports-filters")
    assert filters.get_by_label("Mailing (id)").count() == 0
    filters.get_by_role("combobox", name="Mailing").fill("weekly")
    filters.get_by_role("combobox", name="Mailing").press("Enter")
    page.locator(f"#reports-{offers.pk}").wait_for(state="detached")
    assert page.locator(f"#reports-{news.pk}").is_visible()

    # or chosen from the suggestions as it is typed
    chooser = page.get_by_role("combobox", name="Mailing")
    chooser.fill("")
    chooser.press_sequentially("off")
    page.get_by_role("option", name=f"Offers — #{offers.pk}").click()
    page.locator(f"#reports-{offers.pk}").wait_for()
    page.locator(f"#reports-{news.pk}").wait_for(state="detached")
    assert f"mailing={offers.pk}" in page.url
