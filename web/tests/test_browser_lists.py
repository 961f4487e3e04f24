"""Lists in a real browser: make a list, put clients on it with the picker and
take one off, build a weekly mailing to the list, see whom its next run will
reach, and watch the dispatcher send it to the list's clients over SMTP."""

import pytest
from django.core.management import call_command

from conftest import make_user
from core.models import Attempt, AttemptStatus, ClientList, Mailing
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory
from web.tests.browser import htmx_ready, log_in, requires_chromium, shot, wait_until

pytestmark = [pytest.mark.browser, requires_chromium]


def test_a_list_built_in_the_browser_receives_a_mailing(page, transactional_db, smtp):
    page.set_default_timeout(10_000)
    page.expected_statuses.add(400)  # the mailing form sent without clients or lists
    owner = make_user("baker@example.com", time_zone="UTC")
    for name in ("ann", "bea", "cal"):
        ClientFactory(owner=owner, email=f"{name}@example.com", full_name=name.title())
    ClientFactory(owner=owner, email="zed@other.org", full_name="Zed")
    MessageFactory(owner=owner, subject="Weekly bread news")
    log_in(page, owner)

    page.goto("/")
    page.locator("#nav-sections").get_by_role("link", name="Lists").click()
    page.locator("#lists-list").wait_for()
    page.get_by_role("button", name="New list").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("Bread lovers")
    dialog.get_by_label("Description").fill("Asked for the weekly news")
    dialog.get_by_role("button", name="Create").click()
    dialog.wait_for(state="hidden")
    page.locator("#toasts .toast", has_text="Created.").wait_for()
    client_list = ClientList.objects.get(owner=owner, name="Bread lovers")
    row = page.locator(f"#lists-{client_list.pk}")
    row.wait_for()

    row.get_by_role("link", name="Bread lovers", exact=True).click()
    panel = page.locator(f"#list-{client_list.pk}-detail")
    panel.wait_for()
    htmx_ready(page, f"#list-{client_list.pk}-detail form")
    panel.get_by_label("Search Clients").fill("example.com")
    panel.get_by_role("button", name="Select all 3 matching").click()
    panel.get_by_text("3 selected").wait_for()
    panel.get_by_role("button", name="Add to the list").click()
    page.locator("#toasts .toast", has_text="3 clients added to the list.").wait_for()
    page.locator(f"#list-{client_list.pk}-members", has_text="cal@example.com").wait_for()
    shot(page, "lists-01-members")
    panel = page.locator(f"#list-{client_list.pk}-detail")
    panel.get_by_role("button", name="Take off cal@example.com").click()
    page.locator("#toasts .toast", has_text="1 client taken off the list.").wait_for()
    wait_until(page, f"!document.getElementById('list-{client_list.pk}-members').textContent.includes('cal@')")
    assert set(client_list.clients.values_list("email", flat=True)) == {"ann@example.com", "bea@example.com"}
    page.locator(f"#lists-{client_list.pk} td", has_text="2").first.wait_for()  # the table reloaded
    page.locator("#detail-panel").get_by_role("button", name="Close").click()
    page.locator("#detail-panel").wait_for(state="hidden")

    # the clients page names the list and filters by it
    page.goto(f"/clients/?list={client_list.pk}")
    assert page.locator("#clients-rows tr").count() == 2
    assert page.locator("#clients-rows tr", has_text="Bread lovers").count() == 2

    page.locator("#nav-sections").get_by_role("link", name="Mailings").click()
    page.locator("#mailings-list").wait_for()
    page.get_by_role("button", name="New mailing").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    dialog.get_by_role("button", name="Create").click()  # nobody chosen
    dialog.get_by_text("Choose at least one client or list.").wait_for()
    dialog.get_by_label("Message").select_option(label="Weekly bread news")
    dialog.get_by_label("Lists", exact=True).select_option(label="Bread lovers")
    now = page.evaluate("new Date().toISOString().slice(0, 16)")  # the owner's zone is UTC
    dialog.get_by_label("First send at").fill(now)
    dialog.get_by_label("Periodicity").select_option("weekly")
    shot(page, "lists-02-mailing-form")
    dialog.get_by_role("button", name="Create").click()
    dialog.wait_for(state="hidden")
    mailing = Mailing.objects.get(owner=owner)
    assert list(mailing.lists.all()) == [client_list] and not mailing.clients.exists()

    page.goto(f"/mailings/{mailing.pk}/")
    page.get_by_text("The next run will reach 2 clients.").wait_for()
    assert page.locator("#mailing-audience").get_by_role("link", name="Bread lovers (2)").is_visible()
    call_command("runcrons", "core.cron.DispatchJob", "--force")
    assert sorted(smtp.handler.recipients()) == ["ann@example.com", "bea@example.com"]
    assert Attempt.objects.filter(mailing=mailing, status=AttemptStatus.SUCCESS).count() == 2
    wait_until(
        page,
        "document.querySelector('#mailing-progress [role=progressbar]')?.getAttribute('aria-valuenow') === '100'",
        timeout=15_000,
    )
    assert "2 of 2 done — 2 sent" in page.locator("#mailing-progress").inner_text()
    shot(page, "lists-03-mailing-sent")


def test_bulk_actions_on_the_clients_page(page, transactional_db):
    page.set_default_timeout(10_000)
    owner = make_user("baker@example.com", time_zone="UTC")
    people = {name: ClientFactory(owner=owner, email=f"{name}@example.com") for name in ("ann", "bea", "cal")}
    ClientFactory(owner=owner, email="zed@other.org", full_name="Zed")
    MailingFactory(owner=owner, clients=[people["ann"]])
    news = ClientList.objects.create(owner=owner, name="News")
    log_in(page, owner)

    # every client the search matches, on all pages, onto a list
    page.goto("/clients/?search=example.com&page_size=2")
    assert page.locator("#clients-rows tr").count() == 2
    htmx_ready(page, "#clients-bulk")
    page.get_by_label("With the chosen clients").select_option("add_to_list")
    page.locator("#clients-bulk").get_by_label("List", exact=True).select_option(label="News")
    page.get_by_label("All 3 matching").check()
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("dialog").get_by_role("button", name="Apply").click()  # asked first, in the page's dialog
    page.locator("#toasts .toast", has_text="3 clients added to the list.").wait_for()
    assert set(news.clients.values_list("email", flat=True)) == {f"{n}@example.com" for n in people}
    page.locator("#clients-rows tr", has_text="News").first.wait_for()  # the list reloaded with the lists named
    shot(page, "lists-04-bulk-added")

    # chosen rows: delete; the one a mailing uses is refused and named
    page.goto("/clients/")
    htmx_ready(page, "#clients-bulk")
    page.get_by_label("Choose every client on this page").check()
    assert page.locator("#clients-rows input[name=clients]:checked").count() == 4
    page.get_by_label("Choose every client on this page").uncheck()
    assert page.locator("#clients-rows input[name=clients]:checked").count() == 0
    page.get_by_label("Choose ann@example.com").check()
    page.get_by_label("Choose zed@other.org").check()
    page.get_by_label("With the chosen clients").select_option("delete")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("dialog").get_by_role("button", name="Apply").click()
    page.locator(
        "#toasts .toast", has_text="1 client deleted. Not deleted, a mailing uses it: ann@example.com."
    ).wait_for()
    page.locator("#clients-rows tr", has_text="zed@other.org").wait_for(state="detached")
    assert sorted(owner.clients.values_list("email", flat=True)) == [f"{n}@example.com" for n in sorted(people)]
    shot(page, "lists-05-bulk-deleted")
