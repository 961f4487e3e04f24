"""The resource pages in a real browser: what a user does on each of them,
through the API's fragments swapped in place."""

import pytest

from core.models import Client, Mailing
from core.tests.factories import AttemptFactory, ClientFactory, MailingFactory, MessageFactory
from web.tests.browser import log_in, requires_chromium, shot, wait_until

pytestmark = [pytest.mark.browser, requires_chromium]


@pytest.fixture
def user(transactional_db):
    from conftest import make_user

    return make_user("user@example.com")


@pytest.fixture
def signed_in(page, user):
    page.set_default_timeout(10_000)
    # Questions are asked in the page's own dialog; a browser confirm() is a failure.
    page.on("dialog", lambda dialog: (page.problems.append(f"browser dialog: {dialog.message}"), dialog.dismiss()))
    log_in(page, user)
    return page


def test_clients_search_sort_page_create_edit_delete(signed_in, user):
    page = signed_in
    page.expected_statuses.add(400)  # a form with errors: answered in place
    for n in range(30):
        ClientFactory(owner=user, email=f"c{n:02}@example.com", full_name=f"Client {n:02}")
    page.goto("/clients/")
    rows = page.locator("#clients-rows tr")
    rows.first.wait_for()
    assert rows.count() == 25 and page.get_by_text("30 clients").is_visible()

    # pages, swapped in place
    page.get_by_role("link", name="Next").click()
    page.get_by_text("Page 2 of 2").wait_for()
    assert rows.count() == 5
    # sorting by a column, descending on the second click
    page.get_by_role("link", name="Email").click()
    page.locator("th[aria-sort=ascending]").wait_for()
    page.get_by_role("link", name="Email").click()
    page.locator("th[aria-sort=descending]").wait_for()
    assert rows.first.inner_text().strip().startswith("c29@example.com")
    # search
    page.get_by_label("Search").fill("Client 1")
    page.get_by_label("Search").press("Enter")
    page.get_by_text("10 clients").wait_for()
    assert page.url.endswith("/clients/?ordering=-email&search=Client%201")  # the page keeps what it shows

    # create in the dialog; a wrong email comes back next to its field, nothing saved
    page.get_by_role("button", name="New client").click()
    dialog = page.get_by_role("dialog", name="New client")
    dialog.get_by_label("Email").fill("c01@example.com")  # already a client
    dialog.get_by_label("Full name").fill("Twin")
    dialog.get_by_role("button", name="Create").click()
    dialog.locator("#id_email-errors").wait_for()
    assert dialog.get_by_label("Email").get_attribute("aria-invalid") == "true"
    assert Client.objects.filter(owner=user).count() == 30
    dialog.get_by_label("Email").fill("new@example.com")
    dialog.get_by_role("button", name="Create").click()
    dialog.wait_for(state="hidden")
    page.locator("#toasts .toast", has_text="Created.").wait_for()

    # edit
    ann = ClientFactory(owner=user, email="ann@example.com", full_name="Ann")
    page.get_by_label("Search").fill("ann@")
    page.get_by_label("Search").press("Enter")
    row = page.locator(f"#clients-{ann.pk}")
    row.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Full name").fill("Ann Archer")
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="hidden")
    page.locator(f"#clients-{ann.pk}", has_text="Ann Archer").wait_for()

    # delete asks first; a client that a mailing took meanwhile is not offered a delete
    # (test_browser_in_use.py follows that dialog further)
    MailingFactory(owner=user, clients=[ann])
    row.get_by_role("button", name="Delete").click()
    dialog.get_by_text("cannot be deleted while mailings use this client").wait_for()
    assert dialog.get_by_role("button", name="Delete").count() == 0
    assert Client.objects.filter(pk=ann.pk).exists()
    dialog.locator("#clients-confirm").get_by_role("button", name="Close").click()
    dialog.wait_for(state="hidden")

    lone = ClientFactory(owner=user, email="lone@example.com")
    page.get_by_label("Search").fill("lone@")
    page.get_by_label("Search").press("Enter")
    page.locator(f"#clients-{lone.pk}").get_by_role("button", name="Delete").click()
    dialog.get_by_role("button", name="Delete").click()
    dialog.wait_for(state="hidden")
    page.locator(f"#clients-{lone.pk}").wait_for(state="detached")
    assert not Client.objects.filter(pk=lone.pk).exists()

    # the export link carries the search and the order
    export = page.get_by_role("link", name="Export CSV")
    assert export.get_attribute("href") == "/api/clients/export/?ordering=-email&search=lone%40"
    shot(page, "clients")


def test_search_sort_page_and_filters_survive_reload_and_back(signed_in, user):
    page = signed_in
    for n in range(30):
        ClientFactory(owner=user, email=f"c{n:02}@example.com", full_name=f"Client {n:02}")
    page.goto("/clients/")
    rows = page.locator("#clients-rows tr")
    page.get_by_role("link", name="Email").click()
    page.locator("th[aria-sort=ascending]").wait_for()
    page.get_by_role("link", name="Next").click()
    page.get_by_text("Page 2 of 2").wait_for()
    assert page.url.endswith("/clients/?ordering=email&page=2")
    page.reload()
    page.get_by_text("Page 2 of 2").wait_for()
    assert rows.first.inner_text().strip().startswith("c25@example.com")
    assert page.locator("th[aria-sort=ascending]").count() == 1
    page.go_back()
    page.get_by_text("Page 1 of 2").wait_for()
    assert rows.first.inner_text().strip().startswith("c00@example.com")

    MailingFactory(owner=user, clients=[ClientFactory(owner=user)], periodicity="daily")
    page.goto("/mailings/")
    page.locator("#mailings-filters").get_by_label("Periodicity").select_option("weekly")
    page.get_by_text("No mailings match.").wait_for()
    page.reload()
    page.get_by_text("No mailings match.").wait_for()
    assert page.locator("#mailings-filters").get_by_label("Periodicity").input_value() == "weekly"


def test_dialog_is_keyboard_usable(signed_in):
    page = signed_in
    page.goto("/messages/")
    page.locator("#messages-list").wait_for()
    page.get_by_role("button", name="New message").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="New message")
    dialog.get_by_label("Subject").wait_for()
    wait_until(page, "document.activeElement && document.activeElement.id === 'id_subject'")
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    # Bootstrap ignores Esc while the dialog is still fading in: press until it closes (a few times at most)
    for _ in range(10):
        page.keyboard.press("Escape")
        try:
            dialog.wait_for(state="hidden", timeout=500)
            break
        except PlaywrightTimeoutError:
            continue
    dialog.wait_for(state="hidden")
    wait_until(page, "document.activeElement && document.activeElement.textContent.includes('New message')")


def test_mailing_page_actions(signed_in, user):
    page = signed_in
    clients = ClientFactory.create_batch(2, owner=user)
    mailing = MailingFactory(owner=user, clients=clients, message=MessageFactory(owner=user, subject="Weekly news"))
    page.goto("/mailings/")
    page.get_by_role("link", name="Weekly news").click()
    page.wait_for_url(f"**/mailings/{mailing.pk}/")
    page.get_by_text("Not sent yet.").wait_for()

    # send now asks first, in the page's dialog as a delete does (not the browser's confirm())
    page.get_by_role("button", name="Send now").click()
    dialog = page.get_by_role("dialog", name="Send now")
    dialog.get_by_text("Send this mailing to all its clients now?").wait_for()
    dialog.get_by_role("button", name="Cancel").click()
    dialog.wait_for(state="hidden")
    assert not mailing.attempts.exists()
    # confirmed: the run is planned at once and the bar starts polling
    page.get_by_role("button", name="Send now").click()
    dialog.get_by_role("button", name="Send now").click()
    page.locator("#mailing-progress[data-running=true]").wait_for()
    assert "0 of 2 done" in page.locator("#mailing-progress").inner_text()
    page.locator("#toasts .toast", has_text="Sending has been queued.").wait_for()

    # disable / enable reload the page's panel
    page.get_by_role("button", name="Disable").click()
    page.get_by_role("button", name="Enable").wait_for()
    assert not Mailing.objects.get(pk=mailing.pk).is_active
    page.get_by_role("button", name="Enable").click()
    page.get_by_role("button", name="Disable").wait_for()

    # the attempts table filters by status
    attempt = mailing.attempts.first()
    attempt.status, attempt.server_response = "failure", "550 5.1.1 no such mailbox"
    attempt.save()
    page.reload()
    page.locator("#attempts-rows tr").nth(1).wait_for()
    page.wait_for_load_state("networkidle")  # htmx has wired the freshly loaded filter form
    page.locator("#attempts-filters").get_by_label("Status").select_option("failure")
    page.locator("#attempts-rows tr", has_text="550 5.1.1").wait_for()
    wait_until(page, "document.querySelectorAll('#attempts-rows tr').length === 1")
    # resend failed queues it again
    page.get_by_role("button", name="Resend failed").click()
    page.locator("#toasts .toast", has_text="1 failed sends queued again as a resend run.").wait_for()
    attempt.refresh_from_db()
    assert attempt.status == "failure"  # kept in the history; the resend is a run of its own
    assert mailing.attempts.get(resend_of=attempt.run_at).status == "pending"
    shot(page, "mailing-page")

    # delete from here goes back to the list, with the toast
    page.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    page.wait_for_url("**/mailings/")
    page.locator("#toasts .toast", has_text="Deleted.").wait_for()
    assert not Mailing.objects.filter(pk=mailing.pk).exists()


def test_mailings_list_filters_and_badges(signed_in, user):
    page = signed_in
    running = MailingFactory(owner=user, clients=[ClientFactory(owner=user)], periodicity="daily")
    Mailing.objects.filter(pk=running.pk).update(status="running")
    off = MailingFactory(owner=user, clients=[ClientFactory(owner=user)], is_active=False)
    page.goto("/mailings/")
    page.locator(f"#mailings-{off.pk}").wait_for()
    assert page.locator(f"#mailings-{running.pk} .badge").inner_text() == "Running"
    assert page.locator(f"#mailings-{off.pk} .badge").inner_text() == "Disabled"
    page.locator("#mailings-filters").get_by_label("Periodicity").select_option("daily")
    page.locator(f"#mailings-{off.pk}").wait_for(state="detached")
    assert page.locator(f"#mailings-{running.pk}").is_visible()


def test_a_disabled_mailing_is_disabled_on_mailings_and_reports(signed_in, user):
    page = signed_in
    on = MailingFactory(owner=user, clients=[ClientFactory(owner=user)])
    off = MailingFactory(owner=user, clients=[ClientFactory(owner=user)], is_active=False)
    page.goto("/mailings/")
    page.locator("#mailings-filters").get_by_label("Status").select_option(label="Disabled")
    page.locator(f"#mailings-{on.pk}").wait_for(state="detached")
    assert page.locator(f"#mailings-{off.pk} .badge").inner_text() == "Disabled"

    page.goto("/reports/")
    page.locator(f"#reports-{on.pk}").wait_for()
    page.locator("#reports-filters").get_by_label("Status").select_option(label="Disabled")
    page.locator(f"#reports-{on.pk}").wait_for(state="detached")
    assert page.locator(f"#reports-{off.pk}").is_visible()
    assert "status=disabled" in page.get_by_role("link", name="Download CSV").get_attribute("href")


def test_report_captions_stand_above_their_tables(signed_in, user):
    page = signed_in
    mailing = MailingFactory(owner=user, clients=[ClientFactory(owner=user)])
    page.goto("/reports/")
    page.locator(f"#reports-{mailing.pk}").get_by_role("link", name=str(mailing.pk)).click()
    tables = page.locator(f"#report-{mailing.pk}-detail table")
    tables.first.wait_for()
    assert tables.count() >= 2
    for index in range(tables.count()):
        table = tables.nth(index)
        caption, head = table.locator("caption").bounding_box(), table.locator("thead").bounding_box()
        assert caption["y"] + caption["height"] <= head["y"] + 1


def test_reports_filters_follow_in_chart_and_csv(signed_in, user):
    from core.dispatch.statistics import recount_all_stale

    page = signed_in
    mailing = MailingFactory(owner=user, clients=[ClientFactory(owner=user)])
    AttemptFactory(mailing=mailing, client=mailing.clients.first(), status="success")
    recount_all_stale()
    page.goto("/reports/")
    page.locator(f"#reports-{mailing.pk}").wait_for()
    wait_until(page, "typeof Chart !== 'undefined' && Chart.getChart('reports-chart') !== undefined")
    page.locator("#reports-filters").get_by_label("Status").select_option("finished")
    page.get_by_text("No mailings match.").wait_for()
    wait_until(page, "Chart.getChart('reports-chart')?.data.labels.length === 0")
    assert "status=finished" in page.get_by_role("link", name="Download CSV").get_attribute("href")
    shot(page, "reports-filtered")
