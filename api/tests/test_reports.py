"""Reports read the rollups the statistics job keeps: per mailing, per run and
per day, for a period, filtered by mailing, status and (managers) owner."""

import csv
import io
from datetime import UTC, date, datetime

import pytest

from core.models import DailyStats, RunStats
from core.tests.factories import MailingFactory


def at(day, hour=9):
    return datetime(2026, 5, day, hour, tzinfo=UTC)


@pytest.fixture
def rollups(owner, other_user):
    weekly = MailingFactory(owner=owner, periodicity="weekly")
    once = MailingFactory(owner=owner)
    foreign = MailingFactory(owner=other_user)
    RunStats.objects.create(
        mailing=weekly,
        run_at=at(1),
        planned=10,
        sent=8,
        failed=2,
        reached=8,
        first_attempt_at=at(1),
        last_attempt_at=at(1, 10),
        stale=False,
    )
    RunStats.objects.create(
        mailing=weekly,
        run_at=at(8),
        planned=10,
        sent=5,
        failed=0,
        pending=5,
        reached=5,
        first_attempt_at=at(8),
        last_attempt_at=at(8, 11),
        stale=False,
    )
    RunStats.objects.create(
        mailing=foreign, run_at=at(1), planned=3, sent=3, reached=3, last_attempt_at=at(1), stale=False
    )
    DailyStats.objects.create(mailing=weekly, day=date(2026, 5, 1), sent=8, failed=2)
    DailyStats.objects.create(mailing=weekly, day=date(2026, 5, 8), sent=5, pending=5)
    DailyStats.objects.create(mailing=once, day=date(2026, 5, 8), sent=1)
    DailyStats.objects.create(mailing=foreign, day=date(2026, 5, 1), sent=3)
    return {"weekly": weekly, "once": once, "foreign": foreign}


def report_of(rows, mailing):
    return next(row for row in rows if row["mailing"] == mailing.pk)


def test_per_mailing_figures(api, owner, rollups):
    rows = api.as_(owner).get("/api/reports/").json()["results"]
    assert {row["mailing"] for row in rows} == {rollups["weekly"].pk, rollups["once"].pk}
    weekly = report_of(rows, rollups["weekly"])
    assert (weekly["runs"], weekly["planned"], weekly["sent"], weekly["failed"], weekly["pending"]) == (2, 20, 13, 2, 5)
    assert (weekly["reached"], weekly["success_rate"]) == (13, 65.0)  # reached ÷ planned
    assert weekly["first_attempt_at"] == "2026-05-01T09:00:00Z"
    assert weekly["last_attempt_at"] == "2026-05-08T11:00:00Z"
    once = report_of(rows, rollups["once"])
    assert (once["runs"], once["sent"], once["success_rate"], once["last_attempt_at"]) == (0, 0, None, None)


def test_period_bounds_the_runs_counted(api, owner, rollups):
    rows = api.as_(owner).get("/api/reports/?period_after=2026-05-05&period_before=2026-05-31").json()["results"]
    weekly = report_of(rows, rollups["weekly"])
    assert (weekly["runs"], weekly["sent"], weekly["failed"], weekly["success_rate"]) == (1, 5, 0, 50.0)


def test_filters_choose_mailings(api, owner, manager, rollups):
    client = api.as_(owner)
    only = client.get(f"/api/reports/?mailing={rollups['weekly'].pk}").json()["results"]
    assert [row["mailing"] for row in only] == [rollups["weekly"].pk]
    assert client.get("/api/reports/?status=finished").json()["results"] == []
    everyone = api.as_(manager).get(f"/api/reports/?owner={rollups['foreign'].owner_id}").json()["results"]
    assert [row["mailing"] for row in everyone] == [rollups["foreign"].pk]


def test_ordering_by_a_figure(api, owner, rollups):
    rows = api.as_(owner).get("/api/reports/?ordering=-sent").json()["results"]
    assert [row["mailing"] for row in rows] == [rollups["weekly"].pk, rollups["once"].pk]


def test_detail_has_runs_and_days(api, owner, rollups):
    body = api.as_(owner).get(f"/api/reports/{rollups['weekly'].pk}/?period_after=2026-05-01").json()
    assert [run["run_at"] for run in body["run_list"]] == ["2026-05-08T09:00:00Z", "2026-05-01T09:00:00Z"]
    assert body["run_list"][1]["success_rate"] == 80.0
    assert body["days"] == [
        {"date": "2026-05-01", "sent": 8, "failed": 2, "pending": 0, "skipped": 0, "unsubscribed": 0, "suppressed": 0},
        {"date": "2026-05-08", "sent": 5, "failed": 0, "pending": 5, "skipped": 0, "unsubscribed": 0, "suppressed": 0},
    ]


def test_daily_series_sums_the_chosen_mailings(api, owner, manager, rollups):
    body = api.as_(owner).get("/api/reports/daily/?period_after=2026-05-02").json()
    assert body == [
        {"date": "2026-05-08", "sent": 6, "failed": 0, "pending": 5, "skipped": 0, "unsubscribed": 0, "suppressed": 0}
    ]
    managers = api.as_(manager).get("/api/reports/daily/?period_before=2026-05-01").json()
    assert managers == [
        {"date": "2026-05-01", "sent": 11, "failed": 2, "pending": 0, "skipped": 0, "unsubscribed": 0, "suppressed": 0}
    ]


def test_daily_ignores_ordering_and_rejects_bad_periods(api, owner, rollups):
    client = api.as_(owner)
    assert client.get("/api/reports/daily/?ordering=-sent").status_code == 200
    assert client.get("/api/reports/daily/?period_after=May").status_code == 400


def test_export_is_exactly_the_filtered_rows(api, owner, rollups):
    response = api.as_(owner).get(f"/api/reports/export/?mailing={rollups['weekly'].pk}")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    assert (rows[0]["mailing"], rows[0]["sent"], rows[0]["success_rate"]) == (str(rollups["weekly"].pk), "13", "65.0")


def test_fragments(page, owner, rollups):
    page.as_(owner)
    listing = page.get("/api/reports/").content.decode()
    assert f'id="reports-{rollups["weekly"].pk}"' in listing
    assert "65.0 %" in listing
    assert 'name="period_after"' in listing
    detail = page.get(f"/api/reports/{rollups['weekly'].pk}/").content.decode()
    assert "80.0 %" in detail and 'data-series="days"' in detail
    daily = page.get("/api/reports/daily/").content.decode()
    assert 'id="reports-daily-data"' in daily
    # the list carries the chart's figures too, for the same filters: one answer per page
    assert 'id="reports-chart"' in listing
    json_in_list = listing.split('id="reports-daily-data" type="application/json">')[1].split("</script>")[0]
    assert json_in_list == daily.split('id="reports-daily-data" type="application/json">')[1].split("</script>")[0]
    filtered = page.get("/api/reports/?period_after=2099-01-01").content.decode()
    assert 'id="reports-daily-data" type="application/json">[]</script>' in filtered
