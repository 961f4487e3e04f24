"""The progress bar on a mailing's page while a run is sending: one poll of
`…/progress/` per tick (also after the panel reloaded itself), and none once
the run has ended."""

import time
from itertools import pairwise

import pytest
from django.utils import timezone

from core.models import Attempt, AttemptStatus, Mailing, MailingStatus
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory
from web.tests.browser import log_in, requires_chromium, shot

pytestmark = [pytest.mark.browser, requires_chromium]

TICK = 2.0  # seconds: hx-trigger="every 2s" of api/_progress.html


def polls_during(page, seconds: float, mailing) -> list[float]:
    """When (monotonic seconds) the page asked for the mailing's progress within `seconds`."""
    asked = []

    def count(request):
        if request.url.split("?")[0].endswith(f"/api/mailings/{mailing.pk}/progress/"):
            asked.append(time.monotonic())

    page.on("request", count)
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            page.wait_for_timeout(100)
    finally:
        page.remove_listener("request", count)
    return asked


def assert_one_poll_per_tick(asked: list[float], seconds: float) -> None:
    assert int(seconds / TICK) - 1 <= len(asked) <= int(seconds / TICK) + 1, asked
    gaps = [later - earlier for earlier, later in pairwise(asked)]
    assert all(gap > TICK * 0.75 for gap in gaps), f"two polls within a tick: {gaps}"


def test_the_bar_polls_once_per_tick_and_stops_when_the_run_ends(page, transactional_db):
    from conftest import make_user

    owner = make_user("owner@example.com")
    clients = ClientFactory.create_batch(3, owner=owner)
    mailing = MailingFactory(owner=owner, clients=clients, message=MessageFactory(owner=owner, subject="News"))
    run_at = timezone.now() - timezone.timedelta(minutes=1)
    Mailing.objects.filter(pk=mailing.pk).update(status=MailingStatus.RUNNING, start_at=run_at, last_run_at=run_at)
    for client in clients:
        Attempt.objects.create(mailing=mailing, client=client, run_at=run_at)
    Attempt.objects.filter(client=clients[0]).update(status=AttemptStatus.SUCCESS, attempted_at=run_at)
    log_in(page, owner)
    page.set_default_timeout(10_000)
    page.goto(f"/mailings/{mailing.pk}/")
    page.locator("#mailing-progress[data-running=true]").wait_for()
    page.wait_for_load_state("networkidle")

    assert_one_poll_per_tick(polls_during(page, 5.5, mailing), 5.5)

    # the panel reloads itself after an action: still one bar, polling once per tick
    page.get_by_role("button", name="Disable").click()
    page.get_by_role("button", name="Enable").click()
    page.get_by_role("button", name="Disable").wait_for()
    assert page.locator("#mailing-progress").count() == 1
    assert_one_poll_per_tick(polls_during(page, 5.5, mailing), 5.5)

    # the run ends: the bar shows it done and asks no more
    Attempt.objects.filter(mailing=mailing).update(status=AttemptStatus.SUCCESS, attempted_at=timezone.now())
    page.locator("#mailing-progress[data-running=false]").wait_for()
    assert "3 of 3 done" in page.locator("#mailing-progress").inner_text()
    page.wait_for_load_state("networkidle")
    assert polls_during(page, 5, mailing) == []
    shot(page, "mailing-progress-done")
