"""Report figures, read from the rollups the statistics job keeps (`RunStats`,
`DailyStats`), never from the attempts themselves: a report costs the same with
a thousand attempts or a hundred million.

Periods are whole days in the reader's time zone, both ends included.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, DateTimeField, F, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate

from core.models import ClientEvent, ClientEventKind, DailyStats, Mailing, RunStats

FIGURES = ("planned", "sent", "failed", "pending", "skipped")
# Changes of a client's subscription that a mailing caused, counted when they happened.
EVENTS = {"unsubscribed": ClientEventKind.UNSUBSCRIBED, "suppressed": ClientEventKind.SUPPRESSED}


def _bounds(since: date | None, until: date | None, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    start = datetime.combine(since, time.min, tzinfo=tz) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz) if until and until < date.max else None
    return start, end


def _run_filter(prefix: str, since: date | None, until: date | None, tz: ZoneInfo) -> Q:
    start, end = _bounds(since, until, tz)
    condition = Q()
    if start:
        condition &= Q(**{f"{prefix}run_at__gte": start})
    if end:
        condition &= Q(**{f"{prefix}run_at__lt": end})
    return condition


def _event_filter(since: date | None, until: date | None, tz: ZoneInfo) -> Q:
    start, end = _bounds(since, until, tz)
    condition = Q()
    if start:
        condition &= Q(at__gte=start)
    if end:
        condition &= Q(at__lt=end)
    return condition


def success_rate(sent: int, failed: int) -> float | None:
    """Share of finished sends that succeeded, in percent; None before any finished."""
    done = (sent or 0) + (failed or 0)
    return round(100 * sent / done, 1) if done else None


def with_report_figures(
    mailings: QuerySet[Mailing], *, since: date | None = None, until: date | None = None, tz: ZoneInfo
) -> QuerySet[Mailing]:
    """Annotate each mailing with runs, planned, sent, failed, pending, skipped and
    its first and last attempt, over the runs inside the period; and with the
    clients it made unsubscribe or found dead (suppressed) inside the period.

    Each figure is a correlated subquery on the (mailing, run) rollups, so the
    database computes them only for the rows of the page it returns, and a
    count of the list does not touch the rollups at all."""
    runs = RunStats.objects.filter(_run_filter("", since, until, tz), mailing=OuterRef("pk")).order_by()

    def figure(aggregate, output_field):
        per_mailing = runs.values("mailing").annotate(value=aggregate).values("value")
        return Subquery(per_mailing, output_field=output_field)

    whole = IntegerField()
    moment = DateTimeField()
    events = ClientEvent.objects.filter(_event_filter(since, until, tz), mailing=OuterRef("pk")).order_by()

    def event_count(kind):
        counted = events.filter(kind=kind).values("mailing").annotate(value=Count("pk")).values("value")
        return Coalesce(Subquery(counted, output_field=whole), 0)

    return mailings.annotate(
        **{name: event_count(kind) for name, kind in EVENTS.items()},
        runs=Coalesce(figure(Count("pk"), whole), 0),
        first_attempt_at=figure(Min("first_attempt_at"), moment),
        last_attempt_at=figure(Max("last_attempt_at"), moment),
        **{name: Coalesce(figure(Sum(name), whole), 0) for name in FIGURES},
    )


def runs_of(
    mailing: Mailing, *, since: date | None = None, until: date | None = None, tz: ZoneInfo
) -> QuerySet[RunStats]:
    """The runs of one mailing inside the period, newest first."""
    return RunStats.objects.filter(_run_filter("", since, until, tz), mailing=mailing).order_by("-run_at")


def daily_series(
    daily: QuerySet[DailyStats],
    events: QuerySet[ClientEvent],
    *,
    tz: ZoneInfo,
    since: date | None = None,
    until: date | None = None,
) -> list[dict]:
    """Sent, failed, pending and skipped per day, summed over the given rollups,
    with the unsubscribes and suppressions of each day (in the reader's zone)."""
    if since:
        daily = daily.filter(day__gte=since)
    if until:
        daily = daily.filter(day__lte=until)
    figures = [name for name in FIGURES if name != "planned"]
    series: dict[date, dict] = {
        row["date"]: row
        for row in daily.order_by().values(date=F("day")).annotate(**{name: Sum(name) for name in figures})
    }
    happened = (
        events.filter(_event_filter(since, until, tz), kind__in=EVENTS.values())
        .order_by()
        .values(date=TruncDate("at", tzinfo=tz))
        .annotate(**{name: Count("pk", filter=Q(kind=kind)) for name, kind in EVENTS.items()})
    )
    empty = dict.fromkeys([*figures, *EVENTS], 0)
    for row in happened:
        series.setdefault(row["date"], {**empty, "date": row["date"]}).update(row)
    return [{**empty, **series[day]} for day in sorted(series)]
