"""Details open where the user is looking: a side panel beside the list, with
the focus in it, and Esc brings the focus back to the row's link."""

import pytest

from core.dispatch.statistics import recount_all_stale
from core.tests.factories import AttemptFactory, ClientFactory, MailingFactory
from web.tests.browser import log_in, requires_chromium, shot, wait_until

pytestmark = [pytest.mark.browser, requires_chromium]


IN_VIEW = """(selector) => {
    const box = document.querySelector(selector).getBoundingClientRect();
    return box.top >= 0 && box.top < innerHeight && box.left >= 0 && box.right <= innerWidth;
}"""


def open_and_close(page, link, detail: str, name: str) -> None:
    link.click()
    page.locator(f"#detail-panel {detail}").wait_for()
    wait_until(page, "document.getElementById('detail-panel').contains(document.activeElement)")
    wait_until(page, IN_VIEW, detail, timeout=5_000)  # the panel slides in: in view once it has
    shot(page, name)
    page.keyboard.press("Escape")
    page.locator("#detail-panel").wait_for(state="hidden")
    wait_until(page, "document.activeElement && document.activeElement.tagName === 'A'")


@pytest.mark.parametrize("size", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}], ids=["wide", "phone"])
def test_details_open_in_view(page, transactional_db, size):
    from conftest import make_user

    owner = make_user("owner@example.com")
    clients = [ClientFactory(owner=owner, email=f"c{n:02}@example.com") for n in range(25)]
    mailing = MailingFactory(owner=owner, clients=clients[:1])
    AttemptFactory(mailing=mailing, client=clients[0], status="success")
    recount_all_stale()
    page.set_viewport_size(size)
    log_in(page, owner)

    page.goto("/clients/")
    page.wait_for_load_state("networkidle")
    row = page.locator("#clients-rows tr").last  # the bottom row of a full page
    pk = row.get_attribute("id").removeprefix("clients-")
    width = "wide" if size["width"] > 400 else "phone"
    open_and_close(page, row.get_by_role("link"), f"#client-{pk}-detail", f"details-client-{width}")

    page.goto("/reports/")
    page.wait_for_load_state("networkidle")
    link = page.locator(f"#reports-{mailing.pk}").get_by_role("link", name=str(mailing.pk))
    link.click()
    # a table's caption names it from above
    caption = page.locator(f"#report-{mailing.pk}-detail caption").first
    caption.wait_for()
    assert caption.bounding_box()["y"] < caption.locator("xpath=..").locator("thead").bounding_box()["y"]
    wait_until(page, "document.getElementById('detail-panel').contains(document.activeElement)")  # shown
    page.keyboard.press("Escape")
    page.locator("#detail-panel").wait_for(state="hidden")
    open_and_close(page, link, f"#report-{mailing.pk}-detail", f"details-report-{width}")
