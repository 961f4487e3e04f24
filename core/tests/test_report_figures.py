"""A page of reports gets its figures for its own mailings only
(`add_report_figures`): each must be exactly what the whole list's figures
(`with_report_figures`, which orders the list and fills the CSV and a report
alone) say, for every period, with runs, resends and subscription events
inside and outside it, and for a mailing with none of them."""

from datetime import UTC, date, datetime

import pytest

from core.models import ClientEvent, ClientEventKind, Mailing, RunStats
from core.reports import REPORT_FIGURES, add_report_figures, with_report_figures
from core.tests.factories import ClientFactory, MailingFactory

PERIODS = [(None, None), (date(2026, 5, 2), None), (None, date(2026, 5, 1)), (date(2026, 5, 8), date(2026, 5, 8))]


def at(day, hour=9):
    return datetime(2026, 5, day, hour, tzinfo=UTC)


@pytest.fixture
def mailings(owner, other_user):
    busy, quiet, foreign = MailingFactory(owner=owner), MailingFactory(owner=owner), MailingFactory(owner=other_user)
    for mailing, day, resend, figures in [
        (busy, 1, False, {"planned": 10, "sent": 7, "failed": 3, "reached": 8}),
        (busy, 1, True, {"planned": 3, "sent": 1, "failed": 2}),
        (busy, 8, False, {"planned": 10, "sent": 5, "pending": 4, "skipped": 1, "bounced": 2, "reached": 5}),
        (foreign, 8, False, {"planned": 2, "sent": 2, "reached": 2}),
    ]:
        RunStats.objects.create(
            mailing=mailing,
            run_at=at(day, 12 if resend else 9),
            is_resend=resend,
            first_attempt_at=at(day, 10),
            last_attempt_at=at(day, 11 + day),
            stale=False,
            **figures,
        )
    client = ClientFactory(owner=owner)
    for mailing, day, kind in [
        (busy, 1, ClientEventKind.UNSUBSCRIBED),
        (busy, 8, ClientEventKind.UNSUBSCRIBED),
        (busy, 8, ClientEventKind.SUPPRESSED),
        (busy, 8, ClientEventKind.RESUBSCRIBED),
        (foreign, 1, ClientEventKind.SUPPRESSED),
    ]:
        ClientEvent.objects.create(client=client, mailing=mailing, kind=kind, at=at(day), day=date(2026, 5, day))
    return [busy, quiet, foreign]


def figures_of(mailing) -> dict:
    return {name: getattr(mailing, name) for name in REPORT_FIGURES}


@pytest.mark.parametrize(("since", "until"), PERIODS)
def test_a_pages_figures_are_the_lists_figures(mailings, since, until):
    annotated = with_report_figures(Mailing.objects.order_by("pk"), since=since, until=until)
    expected = {mailing.pk: figures_of(mailing) for mailing in annotated}
    page = add_report_figures(list(Mailing.objects.order_by("pk")), since=since, until=until)
    assert {mailing.pk: figures_of(mailing) for mailing in page} == expected


def test_figures_are_counted_for_the_page_only(mailings):
    busy, quiet, foreign = mailings
    page = add_report_figures([quiet, busy])
    assert [(m.runs, m.resends, m.planned, m.unsubscribed, m.suppressed) for m in page] == [
        (0, 0, 0, 0, 0),
        (2, 1, 20, 2, 1),
    ]
    assert (quiet.first_attempt_at, quiet.last_attempt_at) == (None, None)
    assert (busy.first_attempt_at, busy.last_attempt_at) == (at(1, 10), at(8, 19))
    assert not hasattr(foreign, "runs")
