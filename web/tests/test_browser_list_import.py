"""A list from start to sent in a real browser: make a list, import a CSV file
into it with "update existing clients" (checked first, then saved), export the
list's clients from the bulk bar, then make a mailing to everyone on the list
with the client picker's "Select all N matching" and see it sent over SMTP to
exactly them."""

from pathlib import Path

import pytest
from django.core.management import call_command

from conftest import make_user
from core.models import ClientList, Mailing
from core.tests.factories import ClientFactory, MessageFactory
from web.tests.browser import htmx_ready, log_in, requires_chromium, shot

pytestmark = [pytest.mark.browser, requires_chromium]

CSV = b"email,full_name,comment\nANN@example.com,Ann Baker,moved to Leeds\nbea@example.com,Bea,\n"


def test_a_list_made_filled_from_a_csv_exported_and_sent_a_mailing_with_select_all_matching(
    page, transactional_db, smtp
):
    page.set_default_timeout(10_000)
    owner = make_user("baker@example.com", time_zone="UTC")
    ann = ClientFactory(owner=owner, email="ann@example.com", full_name="Ann", comment="")
    ClientFactory(owner=owner, email="zed@other.org", full_name="Zed")
    MessageFactory(owner=owner, subject="Fresh bread")
    log_in(page, owner)

    page.goto("/lists/")
    page.locator("#lists-list").wait_for()
    page.get_by_role("button", name="New list").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("Bakers")
    dialog.get_by_role("button", name="Create").click()
    dialog.wait_for(state="hidden")
    bakers = ClientList.objects.get(owner=owner, name="Bakers")

    page.goto("/clients/")
    page.get_by_role("button", name="Import CSV").click()
    dialog = page.get_by_role("dialog")
    htmx_ready(page, "#clients-import-form")
    dialog.get_by_label("CSV file").set_input_files(
        files=[{"name": "bakers.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    dialog.get_by_label("Put the clients on the list").select_option(label="Bakers")
    dialog.get_by_label("Update existing clients").check()
    dialog.get_by_role("button", name="Upload").click()  # "Check only" is ticked: a preview
    dialog.get_by_text("1 new, 1 updated, 2 put on the list “Bakers”.").wait_for()
    dialog.get_by_text("Updates an existing client.").wait_for()
    assert not bakers.clients.exists()
    shot(page, "list-import-01-preview")

    dialog.get_by_label("Check only (preview), save nothing").uncheck()
    dialog.get_by_role("button", name="Upload").click()
    dialog.get_by_text("2 clients imported. 1 new, 1 updated, 2 put on the list “Bakers”.").wait_for()
    ann.refresh_from_db()
    assert (ann.email, ann.full_name, ann.comment) == ("ann@example.com", "Ann Baker", "moved to Leeds")
    assert sorted(bakers.clients.values_list("email", flat=True)) == ["ann@example.com", "bea@example.com"]
    shot(page, "list-import-02-saved")

    # the list's clients, all matching, exported from the bulk bar
    page.goto(f"/clients/?list={bakers.pk}")
    htmx_ready(page, "#clients-bulk")
    page.get_by_label("All 2 matching").check()
    with page.expect_download() as download:
        page.locator("#clients-bulk").get_by_role("button", name="Export").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines() == [
        "email,full_name,comment",
        "ann@example.com,Ann Baker,moved to Leeds",
        "bea@example.com,Bea,",
    ]

    # a mailing to everyone on the list: the picker's filter, not their ids
    page.goto("/mailings/")
    page.get_by_role("button", name="New mailing").click()
    dialog = page.get_by_role("dialog")
    htmx_ready(page, "#mailings-form")
    picker = dialog.locator("[data-client-picker]")
    picker.get_by_label("Only clients on the list").select_option(label="Bakers")
    picker.get_by_role("button", name="Select all 2 matching").click()
    picker.get_by_text("2 selected", exact=True).wait_for()
    dialog.get_by_label("Message").select_option(label="Fresh bread")
    dialog.get_by_label("First send at").fill(page.evaluate("new Date().toISOString().slice(0, 16)"))
    shot(page, "list-import-03-mailing-to-the-list")
    dialog.get_by_role("button", name="Create").click()
    dialog.wait_for(state="hidden")
    mailing = Mailing.objects.get(owner=owner)
    assert sorted(mailing.clients.values_list("email", flat=True)) == ["ann@example.com", "bea@example.com"]

    call_command("runcrons", "core.cron.DispatchJob", "--force")
    assert sorted(smtp.handler.recipients()) == ["ann@example.com", "bea@example.com"]
    page.goto(f"/mailings/{mailing.pk}/")
    run = page.get_by_role("table", name="Runs").locator("tbody tr").first
    assert run.locator("td").all_inner_texts()[1:4] == ["2", "2", "0"]  # planned, sent, failed
    shot(page, "list-import-04-sent")
