"""The whole service in a real browser, as a new customer and then a manager
use it: sign up, verify the address from the email really sent over SMTP,
import clients, write a message, create a mailing starting now, watch the
dispatcher send it on the mailing's live progress bar, read the attempts and
the report; the manager blocks the customer and disables the mailing; and the
same pages in Russian."""

import re
import time
from datetime import datetime

import pytest
from django.core.management import call_command

from core.models import Attempt, AttemptStatus, Mailing, User
from web.tests.browser import htmx_ready, log_in, requires_chromium, shot, wait_until

pytestmark = [pytest.mark.browser, requires_chromium]

PASSWORD = "journey-Passphrase-2026"
CSV = (
    "email,full_name,comment\n"
    "ann@example.com,Ann Archer,met at the fair\n"
    "boris@example.com,Борис Петров,\n"
    "chen@example.com,Chen Li,newsletter\n"
)


def run_cron(job: str) -> None:
    call_command("runcrons", f"core.cron.{job}", "--force")


def open_dialog(page, button: str):
    page.get_by_role("button", name=button).click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    return dialog


def sign_up_and_verify(page, smtp, settings) -> User:
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("nora@example.com")
    page.get_by_label("Full name").fill("Nora Bakery")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_role("button", name="Sign up").click()
    page.get_by_text("Check your inbox").wait_for()
    shot(page, "journey-01-signed-up")

    # The email leaves right after the sign-up commits, from a background sender.
    deadline = time.monotonic() + 10
    while not (received := [item for item in smtp.handler.received if "nora@example.com" in item.rcpt_tos]):
        assert time.monotonic() < deadline, "the verification email never arrived"
        time.sleep(0.05)
    [received] = received
    text = received.message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/accounts/verify/\S+/", text).group(0)
    page.goto(link.removeprefix(settings.SITE_URL))
    page.get_by_text("Your email address is confirmed").wait_for()

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("nora@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="nora@example.com").wait_for()
    return User.objects.get(email="nora@example.com")


def import_clients(page):
    page.get_by_role("link", name="Clients", exact=True).click()
    page.locator("#clients-list").wait_for()
    dialog = open_dialog(page, "Import CSV")
    dialog.get_by_label("CSV file").set_input_files(
        files=[{"name": "clients.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    dialog.get_by_role("button", name="Upload").click()  # "check only" is ticked: a preview
    dialog.get_by_text("3 rows are fine.").wait_for()
    assert dialog.locator("tbody tr").count() == 3
    shot(page, "journey-02-import-preview")
    dialog.get_by_label("Check only (preview), save nothing").uncheck()
    dialog.get_by_role("button", name="Upload").click()
    dialog.wait_for(state="hidden")  # saved: the dialog closes and says so
    page.locator("#toasts .toast", has_text="3 clients imported.").wait_for()
    page.locator("#clients-rows tr", has_text="chen@example.com").wait_for()  # the list reloaded
    assert page.locator("#clients-rows tr").count() == 3
    shot(page, "journey-03-clients")


def write_message(page):
    page.get_by_role("link", name="Messages", exact=True).click()
    page.locator("#messages-list").wait_for()
    dialog = open_dialog(page, "New message")
    dialog.get_by_label("Subject").fill("Fresh bread for {full_name}")
    dialog.get_by_label("Body").fill("Dear {full_name},\n\nour autumn loaves are in.")
    dialog.get_by_role("button", name="Create").click()
    dialog.wait_for(state="hidden")
    page.locator("#toasts .toast", has_text="Created.").wait_for()
    page.get_by_role("link", name="Fresh bread for {full_name}").click()
    preview = page.locator("#message-preview")
    preview.wait_for()
    # rendered for the first client, with the unsubscribe line every mailing message carries
    assert preview.locator("[data-preview=subject]").inner_text() == "Fresh bread for Ann Archer"
    assert "unsubscribe" in preview.locator("[data-preview=body]").inner_text()
    htmx_ready(page, "#message-preview form")
    preview.get_by_label("For client").select_option(label="Борис Петров <boris@example.com>")
    page.locator("[data-preview=subject]", has_text="Fresh bread for Борис Петров").wait_for()
    shot(page, "journey-04-message-preview")
    wait_until(page, "document.getElementById('detail-panel').contains(document.activeElement)")  # shown
    page.keyboard.press("Escape")  # the details side panel closes
    page.locator("#detail-panel").wait_for(state="hidden")


def create_mailing_starting_now(page) -> Mailing:
    page.get_by_role("link", name="Mailings", exact=True).click()
    page.locator("#mailings-list").wait_for()
    dialog = open_dialog(page, "New mailing")
    dialog.get_by_label("Message").select_option(label="Fresh bread for {full_name}")
    # the clients' picker (a list's panel has one too): search, choose one, take it back, select all matching
    picker = dialog.locator("[data-client-picker]")
    picker.get_by_label("Search Clients").fill("chen")
    picker.get_by_role("option", name="chen@example.com").click()
    picker.get_by_text("1 selected").wait_for()
    picker.get_by_label("Search Clients").press("Escape")  # the results close, the dialog stays
    picker.get_by_role("button", name="Remove", exact=False).click()
    picker.get_by_text("0 selected").wait_for()
    picker.get_by_label("Search Clients").fill("example.com")
    picker.get_by_role("button", name="Select all 3 matching").click()
    picker.get_by_text("3 selected").wait_for()
    # the time is typed in the user's zone (Berlin), as the form says
    assert dialog.get_by_text("In your time zone, Europe/Berlin.").count() == 2  # first send and end
    now_in_berlin = page.evaluate(
        "new Date().toLocaleString('sv-SE', {timeZone: 'Europe/Berlin'}).slice(0, 16).replace(' ', 'T')"
    )
    dialog.get_by_label("First send at").fill(now_in_berlin)
    dialog.get_by_label("Periodicity").select_option("weekly")  # a finished one-off could not be disabled
    shot(page, "journey-05-mailing-form")
    dialog.get_by_role("button", name="Create").click()
    dialog.wait_for(state="hidden")
    mailing = Mailing.objects.get(owner__email="nora@example.com")
    assert mailing.clients.count() == 3
    row = page.locator(f"#mailings-{mailing.pk}")
    row.wait_for()
    shot(page, "journey-06-mailings")
    return mailing


def watch_it_sent(page, mailing, smtp):
    page.locator(f"#mailings-{mailing.pk}").get_by_role("link", name="Fresh bread for {full_name}").click()
    page.wait_for_url(f"**/mailings/{mailing.pk}/")
    bar = page.locator("#mailing-progress")
    bar.wait_for()
    # due now: the bar polls while it waits for the dispatcher
    assert bar.get_attribute("data-running") == "true"
    assert bar.get_attribute("hx-trigger") == "every 2s"
    shot(page, "journey-07-waiting-for-dispatcher")

    run_cron("DispatchJob")
    assert sorted(smtp.handler.recipients()[-3:]) == ["ann@example.com", "boris@example.com", "chen@example.com"]
    assert Attempt.objects.filter(mailing=mailing, status=AttemptStatus.SUCCESS).count() == 3

    wait_until(
        page,
        "document.querySelector('#mailing-progress [role=progressbar]')?.getAttribute('aria-valuenow') === '100'",
        timeout=15_000,
    )
    page.locator("#mailing-progress[data-running=false]").wait_for()
    assert "3 of 3 done — 3 sent, 0 failed, 0 skipped, 0 to go." in page.locator("#mailing-progress").inner_text()
    # the run's end reloaded the page's figures: the attempts, with the server's replies
    rows = page.locator("#attempts-rows tr")
    page.locator("#attempts-rows tr", has_text="chen@example.com").wait_for()
    assert rows.count() == 3
    assert all("Sent" in text and "250" in text for text in rows.all_inner_texts())
    shot(page, "journey-08-mailing-sent")


def read_the_report(page, mailing):
    run_cron("StatisticsJob")
    page.get_by_role("link", name="Reports", exact=True).click()
    row = page.locator(f"#reports-{mailing.pk}")
    row.wait_for()
    cells = row.locator("td").all_inner_texts()
    assert cells[2:9] == ["1", "3", "3", "3", "0", "0", "0"]  # runs, planned, reached, sent, failed, pending, skipped
    assert cells[9] == "100.0 %"
    wait_until(page, "typeof Chart !== 'undefined' && Chart.getChart('reports-chart') !== undefined")
    assert page.evaluate("Chart.getChart('reports-chart').data.datasets[0].data.reduce((a, b) => a + b, 0)") == 3
    row.get_by_role("link", name=str(mailing.pk)).click()
    page.locator(f"#report-{mailing.pk}-detail").wait_for()
    shot(page, "journey-09-report")


def manager_steps(page, nora, mailing):
    from conftest import make_user
    from core import roles

    page.context.clear_cookies()
    log_in(page, make_user("manager@example.com", roles.MANAGER))
    page.goto("/manage/users/")
    row = page.locator(f"tr[data-user='{nora.pk}']")
    row.get_by_role("link", name="Block").click()
    page.get_by_role("button", name="Block").click()  # the confirmation; no reason given
    row.get_by_text("Blocked").wait_for()
    nora.refresh_from_db()
    assert not nora.is_active

    page.get_by_role("link", name="All mailings").click()
    mailing_row = page.locator(f"#mailings-{mailing.pk}")
    mailing_row.wait_for()
    assert "nora@example.com" in mailing_row.inner_text()
    assert mailing_row.get_by_role("button", name="Edit").count() == 0  # managers do not edit
    mailing_row.get_by_role("button", name="Disable").click()
    page.locator(f"#mailings-{mailing.pk}", has_text="Disabled").wait_for()
    page.locator("#toasts .toast", has_text="Mailing disabled.").wait_for()
    mailing.refresh_from_db()
    assert not mailing.is_active
    shot(page, "journey-10-manager-disabled")


def in_russian(page, mailing):
    page.get_by_role("button", name=re.compile("Language")).click()
    page.get_by_role("button", name="Русский").click()
    page.wait_for_url("**/manager/mailings/")
    page.locator(f"#mailings-{mailing.pk}").wait_for()
    assert page.locator("h1").inner_text() == "Все рассылки"  # noqa: RUF001
    assert page.locator(f"#mailings-{mailing.pk}").get_by_role("button", name="Включить").count() == 1
    assert "Выключена" in page.locator(f"#mailings-{mailing.pk}").inner_text()
    page.goto(f"/mailings/{mailing.pk}/")
    page.get_by_role("heading", name="Попытки отправки").wait_for()
    shot(page, "journey-11-mailing-ru")


def test_customer_journey_and_manager_oversight(page, transactional_db, smtp, settings):
    page.set_default_timeout(10_000)
    started = datetime.now()
    nora = sign_up_and_verify(page, smtp, settings)
    import_clients(page)
    write_message(page)
    mailing = create_mailing_starting_now(page)
    watch_it_sent(page, mailing, smtp)
    read_the_report(page, mailing)
    manager_steps(page, nora, mailing)
    in_russian(page, mailing)
    assert (datetime.now() - started).total_seconds() < 120
