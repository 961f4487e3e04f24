"""The client picker in a real browser, with more clients than a page of
results: search as you type, page on with "More", choose with the keyboard,
select all the clients of a list that match, see the count, save, see the
mailing sent over SMTP to exactly those, and edit it keeping its clients.
axe finds nothing serious in the open picker."""

import pytest
from django.core.management import call_command

from conftest import make_user
from core.models import Client, ClientList, Mailing
from core.tests.factories import MessageFactory
from web.tests.browser import htmx_ready, log_in, requires_chromium, shot, wait_until
from web.tests.test_browser_audit import axe_problems

pytestmark = [pytest.mark.browser, requires_chromium]


def test_a_mailing_to_a_chosen_client_and_all_matching_on_a_list(page, transactional_db, smtp):
    page.set_default_timeout(10_000)
    owner = make_user("baker@example.com", time_zone="UTC")
    someone = make_user("rival@example.com", time_zone="UTC")
    Client.objects.bulk_create(
        Client(owner=owner, email=f"regular{i:02d}@bakery.test", full_name=f"Regular {i:02d}") for i in range(45)
    )
    ann = Client.objects.create(owner=owner, email="ann@example.com", full_name="Ann Archer")
    Client.objects.create(owner=someone, email="regular99@bakery.test", full_name="Not baker's")
    regulars = ClientList.objects.create(owner=owner, name="Regulars")
    on_list = ["regular01@bakery.test", "regular02@bakery.test"]
    regulars.clients.set(Client.objects.filter(owner=owner, email__in=on_list))
    regulars.clients.add(ann)
    MessageFactory(owner=owner, subject="Rye is back")
    log_in(page, owner)

    page.goto("/mailings/")
    page.get_by_role("button", name="New mailing").click()
    dialog = page.get_by_role("dialog")
    htmx_ready(page, "#mailings-form")
    picker = dialog.locator("[data-client-picker]")
    search = picker.get_by_role("combobox", name="Search Clients")

    # a page of results, then the next with "More"
    search.fill("regular")
    picker.get_by_role("button", name="Select all 45 matching").wait_for()
    assert picker.locator("li[role=option]").count() == 20
    picker.get_by_role("button", name="More").click()
    wait_until(page, "document.querySelectorAll('#id_clients-results [role=option]').length === 40")

    # the keyboard: Down to the first found, Enter chooses it; Esc closes the results
    search.fill("archer")
    picker.get_by_role("option", name="Ann Archer <ann@example.com>").wait_for()
    search.press("ArrowDown")
    assert search.get_attribute("aria-activedescendant") == "id_clients-result-0"
    search.press("Enter")
    picker.get_by_text("1 selected").wait_for()
    assert picker.get_by_role("option", name="Ann Archer <ann@example.com>").get_attribute("aria-selected") == "true"
    assert axe_problems(page, "open picker") == []
    search.press("Escape")
    assert search.get_attribute("aria-expanded") == "false" and dialog.is_visible()

    # every client of the list that matches, as a filter
    search.fill("bakery")
    picker.get_by_label("Only clients on the list").select_option(label="Regulars")
    picker.get_by_role("button", name="Select all 2 matching").click()
    picker.get_by_text("Up to 3 selected").wait_for()
    assert picker.locator("input[name='clients_matching.search']").get_attribute("value") == "bakery"
    assert picker.locator("input[name='clients_matching.list']").get_attribute("value") == str(regulars.pk)
    assert axe_problems(page, "picker with chips") == []
    shot(page, "picker-01-chosen")

    dialog.get_by_label("Message").select_option(label="Rye is back")
    dialog.get_by_label("First send at").fill(page.evaluate("new Date().toISOString().slice(0, 16)"))
    dialog.get_by_role("button", name="Create").click()
    dialog.wait_for(state="hidden")
    mailing = Mailing.objects.get(owner=owner)
    assert sorted(mailing.clients.values_list("email", flat=True)) == [
        "ann@example.com",
        "regular01@bakery.test",
        "regular02@bakery.test",
    ]

    call_command("runcrons", "core.cron.DispatchJob", "--force")
    assert sorted(smtp.handler.recipients()) == ["ann@example.com", "regular01@bakery.test", "regular02@bakery.test"]

    # editing shows its clients as chips; one taken off, the rest kept
    page.goto("/mailings/")
    row = page.locator(f"#mailings-{mailing.pk}")
    row.get_by_role("button", name=f"Actions of mailing #{mailing.pk}").click()
    row.locator(".dropdown-menu.show").get_by_role("button", name="Edit").click()
    htmx_ready(page, "#mailings-form")
    picker = page.get_by_role("dialog").locator("[data-client-picker]")
    picker.get_by_text("3 selected").wait_for()
    picker.get_by_role("button", name="Remove: Ann Archer <ann@example.com>").click()
    picker.get_by_text("2 selected").wait_for()
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    page.get_by_role("dialog").wait_for(state="hidden")
    assert sorted(mailing.clients.values_list("email", flat=True)) == ["regular01@bakery.test", "regular02@bakery.test"]
