"""Report figures, read from the rollups the statistics job keeps (`RunStats`,
`DailyStats`), never from the attempts themselves: a report costs the same with
a thousand attempts or a hundred million. A report first counts its own stale
runs (`bring_up_to_date`), so its figures are current, never a mix of live
subscription events and rollups a minute old.

One day rule for every part of a report: a run belongs to its owner's date when
it ran (`RunStats.day`), a subscription event to its own fixed day
(`ClientEvent.day`: the owner's date, or the day of the run whose bounce caused
it). Periods are such dates, both ends included, whoever reads the report — so
a manager's figures are the sum of the owners' own.

A scheduled run plans its clients; a resend run sends some of its failures
again. The success rate is clients reached ÷ clients planned, over the
scheduled runs; skipped clients (unsubscribed or suppressed) count as planned
and not reached, and are shown apart.
"""

from datetime import date
from functools import lru_cache

from django.db.models import (
    Count,
    DateTimeField,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from core.dispatch.statistics import DAY_FIGURES, recount_stale_runs
from core.models import ClientEvent, ClientEventKind, DailyStats, Mailing, RunListStats, RunStats

# Every send of every run, resends included; a send that bounced later counts as bounced, not sent.
FIGURES = ("sent", "failed", "pending", "skipped", "bounced")
SCHEDULED = ("planned", "reached")  # clients of the scheduled runs
# Changes of a client's subscription that a mailing caused.
EVENTS = {"unsubscribed": ClientEventKind.UNSUBSCRIBED, "suppressed": ClientEventKind.SUPPRESSED}


def _days(since: date | None, until: date | None, field: str = "day") -> Q:
    condition = Q()
    if since:
        condition &= Q(**{f"{field}__gte": since})
    if until:
        condition &= Q(**{f"{field}__lte": until})
    return condition


def success_rate(reached: int, planned: int) -> float | None:
    """Clients reached out of clients planned, in percent; None before any was planned."""
    return round(100 * (reached or 0) / planned, 1) if planned else None


def bring_up_to_date(mailings: QuerySet[Mailing]) -> None:
    """Count the stale runs of these mailings now, as the statistics job would."""
    stale = RunStats.objects.filter(stale=True, mailing__in=mailings.order_by().values("pk"))
    if stale.exists():
        while recount_stale_runs(mailings=mailings, limit=1000) == 1000:
            pass


def _run_figures() -> dict:
    """Each figure of a mailing's runs, as an aggregate over its `RunStats` rows."""
    scheduled = Q(is_resend=False)
    return {
        "runs": Count("pk", filter=scheduled),
        "resends": Count("pk", filter=~scheduled),
        "requeued": Sum("planned", filter=~scheduled),
        "first_attempt_at": Min("first_attempt_at"),
        "last_attempt_at": Max("last_attempt_at"),
        **{name: Sum(name, filter=scheduled) for name in SCHEDULED},
        **{name: Sum(name) for name in FIGURES},
    }


def _event_figures() -> dict:
    """Each figure of a mailing's subscription events, as an aggregate over its `ClientEvent` rows."""
    return {name: Count("pk", filter=Q(kind=kind)) for name, kind in EVENTS.items()}


MOMENTS = ("first_attempt_at", "last_attempt_at")  # None without a run; every other figure is 0
REPORT_FIGURES = (*_run_figures(), *EVENTS)


def with_report_figures(
    mailings: QuerySet[Mailing],
    *,
    since: date | None = None,
    until: date | None = None,
    only: tuple[str, ...] | None = None,
) -> QuerySet[Mailing]:
    """Annotate each mailing, over its runs inside the period, with: runs and
    planned and reached clients (scheduled runs), resends (resend runs) and
    their requeued clients, sent, failed, pending, skipped and bounced sends (all runs),
    first and last attempt; and with the clients it made unsubscribe or found
    dead (suppressed) on days inside the period. `only`: these figures alone
    (what a list is ordered by).

    Each figure is a correlated subquery on the (mailing, run) rollups, so the
    database computes them only for the rows of the page it returns, and a
    count of the list does not touch the rollups at all. A page of rows costs
    less with `add_report_figures`."""
    figures = _report_figures(since, until)
    if only is not None:
        figures = {name: figures[name] for name in only}
    return mailings.annotate(**figures)


@lru_cache(maxsize=64)
def _report_figures(since: date | None, until: date | None) -> dict:
    """The annotations of `with_report_figures` for a period, made once per period: twelve
    subqueries cost milliseconds to put together, and `annotate` only reads them (it resolves copies)."""
    runs = RunStats.objects.filter(_days(since, until), mailing=OuterRef("pk")).order_by().values("mailing")
    events = ClientEvent.objects.filter(_days(since, until), mailing=OuterRef("pk")).order_by().values("mailing")
    whole = IntegerField()
    moment = DateTimeField()

    def figure(rows, name, aggregate):
        value = Subquery(
            rows.annotate(value=aggregate).values("value"), output_field=moment if name in MOMENTS else whole
        )
        return value if name in MOMENTS else Coalesce(value, 0)

    return {
        **{name: figure(events, name, aggregate) for name, aggregate in _event_figures().items()},
        **{name: figure(runs, name, aggregate) for name, aggregate in _run_figures().items()},
    }


def add_report_figures(
    mailings: list[Mailing], *, since: date | None = None, until: date | None = None
) -> list[Mailing]:
    """Set on each of `mailings` (a page of them) the figures of `with_report_figures`,
    counted for these mailings only by two grouped queries, one over their runs and one
    over their subscription events: cheaper to build and to run than a dozen subqueries per row."""
    if not mailings:
        return mailings
    ids = [mailing.pk for mailing in mailings]
    empty = {name: None if name in MOMENTS else 0 for name in REPORT_FIGURES}
    found: dict[int, dict] = {pk: dict(empty) for pk in ids}
    for per_mailing in _grouped_figures(since, until):
        for row in per_mailing.filter(mailing__in=ids):
            mailing = row.pop("mailing")
            found[mailing].update((name, empty[name] if value is None else value) for name, value in row.items())
    for mailing in mailings:
        for name, value in found[mailing.pk].items():
            setattr(mailing, name, value)
    return mailings


@lru_cache(maxsize=64)
def _grouped_figures(since: date | None, until: date | None) -> tuple[QuerySet, QuerySet]:
    """The figures per mailing of its runs and of its subscription events in a period, as two
    grouped queries made once per period (a page narrows a copy of each to its mailings)."""
    runs = RunStats.objects.filter(_days(since, until))
    events = ClientEvent.objects.filter(_days(since, until), kind__in=EVENTS.values())
    return (
        runs.order_by().values("mailing").annotate(**_run_figures()),
        events.order_by().values("mailing").annotate(**_event_figures()),
    )


def runs_of(
    mailing: Mailing, *, since: date | None = None, until: date | None = None, by_list: bool = False
) -> QuerySet[RunStats]:
    """The runs of one mailing (scheduled and resends) inside the period, newest
    first; `by_list`: each with its figures per targeted list (by the list's name)."""
    runs = RunStats.objects.filter(_days(since, until), mailing=mailing).order_by("-run_at")
    if not by_list:
        return runs
    lists = RunListStats.objects.select_related("client_list").order_by("client_list__name", "client_list_id")
    return runs.prefetch_related(Prefetch("list_stats", queryset=lists))


def daily_series_of(mailings: QuerySet[Mailing], *, since: date | None = None, until: date | None = None) -> list[dict]:
    """Sent, failed, pending and skipped per day, summed over `mailings` (those its
    reader may see) in the period, with the unsubscribes and suppressions of each day."""
    chosen = mailings.values("pk")
    per_day, events_per_day = _daily_figures(since, until)
    series: dict[date, dict] = {row["date"]: row for row in per_day.filter(mailing__in=chosen)}
    empty = dict.fromkeys([*DAY_FIGURES, *EVENTS], 0)
    for row in events_per_day.filter(mailing__in=chosen):
        series.setdefault(row["date"], {**empty, "date": row["date"]}).update(row)
    return [{**empty, **series[day]} for day in sorted(series)]


@lru_cache(maxsize=64)
def _daily_figures(since: date | None, until: date | None) -> tuple[QuerySet, QuerySet]:
    """The figures per day of the day rollups and of the subscription events in a period, as two
    grouped queries made once per period (a report narrows a copy of each to its mailings)."""
    per_day = DailyStats.objects.filter(_days(since, until)).order_by().values(date=F("day"))
    events = ClientEvent.objects.filter(_days(since, until), kind__in=EVENTS.values()).order_by().values(date=F("day"))
    return (
        per_day.annotate(**{name: Sum(name) for name in DAY_FIGURES}),
        events.annotate(**{name: Count("pk", filter=Q(kind=kind)) for name, kind in EVENTS.items()}),
    )
