"""A mailing's page keeps its mailing: its attempts filter chooses clients by
name and never shows another mailing's attempts; the reports choose mailings by
their subject. Nobody types an id."""

import pytest

from core.dispatch.statistics import recount_all_stale
from core.tests.factories import AttemptFactory, ClientFactory, MailingFactory, MessageFactory
from web.tests.browser import log_in, requires_chromium, shot, wait_until

pytestmark = [pytest.mark.browser, requires_chromium]


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
    filters.get_by_label("Client").fill("Archer")
    filters.get_by_label("Client").press("Enter")
    wait_until(page, "document.querySelectorAll('#attempts-rows tr').length === 1")
    assert "ann@example.com" in rows.first.inner_text()
    assert "550 other mailing" not in page.locator("#attempts-list").inner_text()
    shot(page, "mailing-attempts-filtered")


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
    filters.get_by_label("Mailing").fill("weekly")
    filters.get_by_label("Mailing").press("Enter")
    page.locator(f"#reports-{offers.pk}").wait_for(state="detached")
    assert page.locator(f"#reports-{news.pk}").is_visible()
