"""A list filled from a CSV file in a real browser: make a list, import a file
into it with "update existing clients" (checked first, then saved), and export
the list's clients from the bulk bar."""

from pathlib import Path

import pytest

from conftest import make_user
from core.models import ClientList
from core.tests.factories import ClientFactory
from web.tests.browser import htmx_ready, log_in, requires_chromium, shot

pytestmark = [pytest.mark.browser, requires_chromium]

CSV = b"email,full_name,comment\nANN@example.com,Ann Baker,moved to Leeds\nbea@example.com,Bea,\n"


def test_a_csv_imported_into_a_new_list_updates_the_clients_it_knows(page, transactional_db):
    page.set_default_timeout(10_000)
    owner = make_user("baker@example.com", time_zone="UTC")
    ann = ClientFactory(owner=owner, email="ann@example.com", full_name="Ann", comment="")
    ClientFactory(owner=owner, email="zed@other.org", full_name="Zed")
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
