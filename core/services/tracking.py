"""Clicks and opens of tracked mailings: the link table each mailing keeps,
one indexed write per click or open, and the figures the reports show.

A click or an open is recorded by one upsert on the (attempt, link) or
(attempt) unique key: the first makes the row (a unique click or open), every
later one adds to its `total`. Test sends never carry a token, so they are
never counted."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from core.cache import owners_changed
from core.dispatch.tracking import read_click_token, read_open_token
from core.models import Attempt, Client, LinkClick, Mailing, MessageOpen, RunStats, TrackedLink


def link_positions(*, mailing_id: int, urls: Sequence[str]) -> list[int]:
    """The mailing's position of each of `urls` (its message's link table, in
    order), adding the new ones after those it already has: a position, once
    given, always leads to the same address."""
    if not urls:
        return []
    for _ in range(3):
        known = dict(TrackedLink.objects.filter(mailing_id=mailing_id).values_list("url", "position"))
        new = [url for url in dict.fromkeys(urls) if url not in known]
        if not new:
            return [known[url] for url in urls]
        start = max(known.values(), default=-1) + 1
        try:
            with transaction.atomic():
                TrackedLink.objects.bulk_create(
                    TrackedLink(mailing_id=mailing_id, position=start + offset, url=url)
                    for offset, url in enumerate(new)
                )
        except IntegrityError:  # another dispatcher numbered them first: read its numbers
            continue
    raise IntegrityError(f"the links of mailing {mailing_id} could not be numbered")


@lru_cache(maxsize=2)
def _upsert_sql(model_name: str, vendor: str) -> str:
    """The one statement that records a click (LinkClick) or an open (MessageOpen):
    the first makes the row, any later one adds to its total; it answers the
    total. The row's attempt comes from the attempts table (INSERT … SELECT), so
    an attempt deleted since makes no row and no error."""
    model = {"LinkClick": LinkClick, "MessageOpen": MessageOpen}[model_name]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column = {name: quote(model._meta.get_field(name).column) for name in ("first_at", "last_at", "total")}
    keys = [quote(model._meta.get_field(name).column) for name in ("attempt", "link") if hasattr(model, name)]
    values = "id, %s" if len(keys) == 2 else "id"
    return (
        f"INSERT INTO {table} ({', '.join(keys)}, {column['first_at']}, {column['last_at']}, {column['total']}) "  # noqa: S608 - names from the model
        f"SELECT {values}, %s, %s, 1 FROM {quote(Attempt._meta.db_table)} WHERE id = %s "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {column['total']} = {table}.{column['total']} + 1, "
        f"{column['last_at']} = EXCLUDED.{column['last_at']} RETURNING {column['total']}"
    )


def _upsert(model_name: str, params: list) -> int | None:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(model_name, connection.vendor), [*params[1:], now, now, params[0]])
        row = cursor.fetchone()
    return None if row is None else row[0]


def record_click(token: str) -> str | None:
    """Count a click on a tracked link; returns the address it leads to, or None
    for a token that is not genuine or whose attempt or link is gone."""
    read = read_click_token(token)
    if read is None:
        return None
    attempt_id, position = read
    found = (
        TrackedLink.objects.filter(mailing__attempts__id=attempt_id, position=position)
        .values_list("id", "url", "mailing__owner_id")
        .first()
    )
    if found is None:
        return None
    link_id, url, owner_id = found
    if _upsert("LinkClick", [attempt_id, link_id]) == 1:
        owners_changed([owner_id])  # a new unique click: its owner's report pages change
    return url


def record_open(token: str) -> bool:
    """Count an open of a tracked message; False for a token that is not genuine
    or whose attempt is gone."""
    attempt_id = read_open_token(token)
    if attempt_id is None:
        return False
    opens = _upsert("MessageOpen", [attempt_id])
    if opens is None:
        return False
    if opens == 1:
        owners_changed(Attempt.objects.filter(pk=attempt_id).values_list("mailing__owner_id", flat=True))
    return True


@dataclass
class LinkFigures:
    position: int
    url: str
    unique_clicks: int = 0  # recipients who followed it (once each)
    clicks: int = 0  # every time it was followed
    click_rate: float | None = None  # unique_clicks ÷ sent, in per cent


@dataclass
class RunTracking:
    run_at: datetime
    is_resend: bool
    sent: int
    clickers: int = 0  # recipients who followed at least one link
    clicks: int = 0
    click_rate: float | None = None  # clickers ÷ sent, in per cent
    opened: int = 0  # recipients whose mail client loaded the image
    opens: int = 0
    links: list[LinkFigures] = field(default_factory=list)


@dataclass
class MailingTracking:
    track_clicks: bool
    track_opens: bool
    sent: int
    clickers: int
    click_rate: float | None
    opened: int
    runs: list[RunTracking]
    links: list[LinkFigures]


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def mailing_tracking(mailing: Mailing, runs: Iterable[RunStats]) -> MailingTracking:
    """Clicks and opens of `runs` (the mailing's, with their `sent` figures) and
    of each of its links over those runs."""
    runs = list(runs)
    run_times = [run.run_at for run in runs]
    links = {
        link_id: (position, url)
        for link_id, position, url in mailing.tracked_links.values_list("id", "position", "url")
    }
    clicks = (
        LinkClick.objects.filter(link__mailing=mailing, attempt__run_at__in=run_times)
        .values_list("attempt__run_at", "link_id")
        .annotate(unique=Count("id"), total=Sum("total"))
        .order_by()
    )
    clickers = dict(
        LinkClick.objects.filter(link__mailing=mailing, attempt__run_at__in=run_times)
        .values_list("attempt__run_at")
        .annotate(n=Count("attempt_id", distinct=True))
        .order_by()
    )
    opens = {
        run_at: (unique, total)
        for run_at, unique, total in MessageOpen.objects.filter(attempt__mailing=mailing, attempt__run_at__in=run_times)
        .values_list("attempt__run_at")
        .annotate(unique=Count("id"), total=Sum("total"))
        .order_by()
    }
    per_run: dict[datetime, dict[int, tuple[int, int]]] = defaultdict(dict)
    for run_at, link_id, unique, total in clicks:
        per_run[run_at][link_id] = (unique, total)
    total_sent = sum(run.sent for run in runs)
    overall = {link_id: LinkFigures(position, url) for link_id, (position, url) in links.items()}
    rows = []
    for run in runs:
        row = RunTracking(run.run_at, run.is_resend, run.sent)
        row.clickers = clickers.get(run.run_at, 0)
        row.click_rate = _rate(row.clickers, run.sent)
        row.opened, row.opens = opens.get(run.run_at, (0, 0))
        for link_id, (unique, total) in sorted(per_run[run.run_at].items(), key=lambda item: links[item[0]][0]):
            position, url = links[link_id]
            row.links.append(LinkFigures(position, url, unique, total, _rate(unique, run.sent)))
            overall[link_id].unique_clicks += unique
            overall[link_id].clicks += total
            row.clicks += total
        rows.append(row)
    for figures in overall.values():
        figures.click_rate = _rate(figures.unique_clicks, total_sent)
    all_clickers = sum(row.clickers for row in rows)
    return MailingTracking(
        track_clicks=mailing.track_clicks,
        track_opens=mailing.track_opens,
        sent=total_sent,
        clickers=all_clickers,
        click_rate=_rate(all_clickers, total_sent),
        opened=sum(row.opened for row in rows),
        runs=rows,
        links=sorted(overall.values(), key=lambda figures: figures.position),
    )


def client_clicks(client: Client):
    """The client's clicks: per mailing run and link, how often and when."""
    return (
        LinkClick.objects.filter(attempt__client=client)
        .values(
            "first_at",
            "last_at",
            mailing=F("attempt__mailing_id"),
            subject=F("attempt__mailing__message__subject"),
            run_at=F("attempt__run_at"),
            url=F("link__url"),
            clicks=F("total"),
        )
        .order_by("-last_at", "-id")
    )
