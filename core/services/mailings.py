"""Mailing writes: create, update, enable/disable, send now, resend failed,
planning a run's attempts and deriving the status. The scheduler owns
`status`, `next_run_at` and `last_run_at`; users never set them."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import scheduling
from core.cache import owners_changed
from core.dispatch.watch import announce_withdrawal
from core.models import (
    OPEN_ATTEMPT_STATUSES,
    Attempt,
    AttemptSource,
    AttemptStatus,
    Client,
    ClientList,
    ClientMatch,
    ListMember,
    Mailing,
    MailingRecipient,
    MailingStatus,
    MailingTarget,
    Message,
    Periodicity,
    RunStats,
    User,
)
from core.selectors import can_toggle_mailing
from core.services.stats import mark_runs_stale

PLAN_CHUNK = 10_000
SCHEDULE_FIELDS = ("start_at", "end_at", "periodicity")


def _now(now: datetime | None) -> datetime:
    return (now or timezone.now()).replace(microsecond=0)


def _check_ownership(
    owner: User,
    message: Message | None,
    clients: Iterable[Client] | None,
    lists: Iterable[ClientList] | None = None,
) -> None:
    errors = {}
    if message is not None and message.owner_id != owner.pk:
        errors["message"] = _("Choose one of your own messages.")
    if clients is not None:
        foreign = [c for c in clients if c.owner_id != owner.pk]
        if foreign:
            errors["clients"] = _("Choose only your own clients.")
    if lists is not None:
        foreign = [c for c in lists if c.owner_id != owner.pk]
        if foreign:
            errors["lists"] = _("Choose only your own lists.")
    if errors:
        raise ValidationError(errors)


def _check_match(owner: User, match: ClientMatch | None) -> None:
    if match is not None and match.client_list is not None and match.client_list.owner_id != owner.pk:
        raise ValidationError({"clients_matching": _("Choose one of your own lists.")})


def _write_recipients(mailing: Mailing, *, clients: list[Client] | None, match: ClientMatch | None, keep: bool) -> None:
    """The mailing's own clients become `clients` and whoever `match` finds
    among its owner's clients (the union), added to those it has when `keep`.
    One INSERT … SELECT whatever their number: a filter matching 100,000
    clients never travels as ids."""
    if clients is None and match is None:
        return
    wanted = Q(pk__in=[client.pk for client in clients or ()])
    if match is not None:
        wanted |= Q(pk__in=match.clients(mailing.owner_id).values("pk"))
    chosen = Client.objects.filter(owner=mailing.owner_id).filter(wanted).order_by()
    recipients = MailingRecipient.objects.filter(mailing=mailing)
    if not keep:
        recipients.exclude(client_id__in=chosen.values("pk")).delete()
    if not clients and match is None:
        return
    chosen_sql, params = chosen.annotate(chosen_id=F("pk")).values("chosen_id").query.sql_with_params()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(MailingRecipient._meta.db_table)} ({quote('mailing_id')}, {quote('client_id')}) "  # noqa: S608
            f"SELECT %s, chosen.{quote('chosen_id')} FROM ({chosen_sql}) AS chosen WHERE 1 = 1 ON CONFLICT DO NOTHING",
            [mailing.pk, *params],
        )
    if match is not None and not recipients.exists() and not mailing.targets.exists():
        raise ValidationError({"clients_matching": _("None of your clients matches: choose clients or a list.")})


def audience(mailing: Mailing) -> QuerySet[Client]:
    """The clients a run planned now would be for: the mailing's own clients
    and whoever is on its lists, each once. (Both are the owner's clients: saying
    so lets the database read the owner's clients only, not every owner's.)"""
    return Client.objects.filter(
        Q(pk__in=MailingRecipient.objects.filter(mailing=mailing).values("client_id"))
        | Q(pk__in=ListMember.objects.filter(client_list__targeted_by__mailing=mailing).values("client_id")),
        owner_id=mailing.owner_id,
    )


@dataclass(frozen=True)
class Reach:
    """Whom the next run will be for: `clients` in all, of whom `reachable`
    get the message; the others (unsubscribed, suppressed) are recorded as skipped."""

    clients: int
    reachable: int

    @property
    def skipped(self) -> int:
        return self.clients - self.reachable


def next_run_reach(mailing: Mailing) -> Reach:
    counts = audience(mailing).aggregate(
        clients=Count("pk"), reachable=Count("pk", filter=Q(unsubscribed_at__isnull=True, suppressed_at__isnull=True))
    )
    return Reach(**counts)


def _schedule(mailing: Mailing, now: datetime) -> None:
    mailing.next_run_at = scheduling.next_run(
        *scheduling.schedule_of(mailing), last_run_at=mailing.last_run_at, now=now
    )


def next_runs(mailing: Mailing, *, count: int, now: datetime | None = None) -> list[datetime]:
    """The mailing's next `count` runs, in its owner's zone; none while it is disabled."""
    if not mailing.is_active:
        return []
    return scheduling.upcoming(*scheduling.schedule_of(mailing), after=_now(now), count=count)


def next_change_at(mailing: Mailing, *, now: datetime | None = None) -> datetime | None:
    """When what is shown of the mailing next changes by time alone: its planned
    run comes due (its progress turns "due") or the first of its next runs
    passes. None while it is disabled (nothing comes due, no runs are listed) or
    when nothing is ahead. What shows the mailing may be kept until then."""
    if not mailing.is_active:
        return None
    coming = [mailing.next_run_at, *next_runs(mailing, count=1, now=now)]
    return min((moment for moment in coming if moment is not None), default=None)


def derive_status(mailing: Mailing, *, has_open_attempts: bool) -> str:
    """created: nothing run yet and something ahead; running: a run happened and
    more is ahead or still in flight; finished: nothing ahead and nothing open."""
    if mailing.next_run_at is None and not has_open_attempts:
        return MailingStatus.FINISHED
    if mailing.last_run_at is None and not has_open_attempts:
        return MailingStatus.CREATED
    return MailingStatus.RUNNING


def refresh_status(mailing: Mailing) -> Mailing:
    """Store the derived status; "finished" is never shown while attempts are open."""
    has_open = mailing.planning_run_at is not None or mailing.attempts.filter(status__in=OPEN_ATTEMPT_STATUSES).exists()
    status = derive_status(mailing, has_open_attempts=has_open)
    if status != mailing.status:
        mailing.status = status
        # A save, not a queryset update: what shows the status (the home page's
        # active mailings) hears of it at once.
        mailing.save(update_fields=["status", "updated_at"])
    return mailing


@transaction.atomic
def mailing_create(
    *,
    owner: User,
    message: Message,
    clients: Iterable[Client] = (),
    clients_matching: ClientMatch | None = None,
    lists: Iterable[ClientList] = (),
    start_at: datetime,
    periodicity: str = Periodicity.ONCE,
    end_at: datetime | None = None,
    is_active: bool = True,
    track_clicks: bool = False,
    track_opens: bool = False,
    now: datetime | None = None,
) -> Mailing:
    """Create a mailing to some clients, some lists, or both. If its window
    contains now, its first run is due at once (the next cron tick sends it);
    otherwise it starts by itself when its time comes. Who is on the lists is
    read when each run is planned. `clients_matching` adds the owner's
    clients that filter finds, read now (not when each run is planned)."""
    clients, lists = list(clients), list(lists)
    _check_ownership(owner, message, clients, lists)
    _check_match(owner, clients_matching)
    mailing = Mailing(
        owner=owner,
        message=message,
        start_at=start_at,
        end_at=end_at,
        periodicity=periodicity,
        is_active=is_active,
        track_clicks=track_clicks,
        track_opens=track_opens,
    )
    mailing.full_clean()
    _schedule(mailing, _now(now))
    mailing.status = derive_status(mailing, has_open_attempts=False)
    mailing.save()
    mailing.lists.set(lists)
    _write_recipients(mailing, clients=clients, match=clients_matching, keep=True)
    return mailing


TRACKING_FIELDS = ("track_clicks", "track_opens")  # opt-in: what the next runs record of their readers


@transaction.atomic
def mailing_update(
    *,
    mailing: Mailing,
    message: Message | None = None,
    clients: Iterable[Client] | None = None,
    clients_matching: ClientMatch | None = None,
    keep_clients: bool = False,
    lists: Iterable[ClientList] | None = None,
    now: datetime | None = None,
    **fields,
) -> Mailing:
    """Change a mailing's message, clients, lists, schedule, tracking or enabled flag. A
    changed schedule runs next at its first occurrence after both now and the
    last run: an edit never sends a catch-up run. Clients no longer sent to
    (neither its own nor on its lists) get their open attempts skipped.

    Its own clients become `clients` plus those `clients_matching` finds (the
    union), or, with `keep_clients`, are added to those it has; neither
    given: they stay as they are."""
    unknown = set(fields) - {*SCHEDULE_FIELDS, "is_active", *TRACKING_FIELDS}
    if unknown:
        raise TypeError(f"mailing_update got unexpected fields {sorted(unknown)}")
    clients = None if clients is None else list(clients)
    lists = None if lists is None else list(lists)
    _check_ownership(mailing.owner, message, clients, lists)
    _check_match(mailing.owner, clients_matching)
    if message is not None:
        mailing.message = message
    edited = any(getattr(mailing, name) != value for name, value in fields.items() if name in SCHEDULE_FIELDS)
    for name, value in fields.items():
        setattr(mailing, name, value)
    mailing.full_clean()
    if edited:
        mailing.next_run_at = scheduling.next_run_after_edit(
            *scheduling.schedule_of(mailing), last_run_at=mailing.last_run_at, now=_now(now)
        )
    else:
        _schedule(mailing, _now(now))
    mailing.save()
    if lists is not None:
        mailing.lists.set(lists)
    _write_recipients(mailing, clients=clients, match=clients_matching, keep=keep_clients)
    if clients is not None or clients_matching is not None or lists is not None:
        withdraw_removed_recipients(mailing)
    if not mailing.is_active or "end_at" in fields:
        announce_withdrawal()
    return refresh_status(mailing)


REMOVED = "not sent: the client was removed from the mailing"


def withdraw_removed_recipients(mailing: Mailing) -> None:
    """Skip the open attempts of clients the mailing no longer goes to (taken
    off it, or a list taken off it, and not on it otherwise), with the reason.
    Rows a dispatcher holds are taken from it too (it is told at once and drops
    them unsent; a message already on its way is reported lost). Taking a
    client off a list is not an edit of its mailings: runs already planned keep them."""
    withdrawn = (
        Attempt.objects.filter(mailing=mailing, status__in=OPEN_ATTEMPT_STATUSES)
        .exclude(client_id__in=mailing.recipients.values("client_id"))
        .exclude(client_id__in=ListMember.objects.filter(client_list__targeted_by__mailing=mailing).values("client_id"))
    )
    runs = {(mailing.pk, run_at) for run_at in withdrawn.values_list("run_at", flat=True).distinct()}
    if runs and withdrawn.update(status=AttemptStatus.SKIPPED, server_response=REMOVED, lease_until=None, claim=None):
        mark_runs_stale(runs)
        announce_withdrawal()


def mailing_set_active(*, mailing: Mailing, active: bool, by: User, now: datetime | None = None) -> Mailing:
    """Enable or disable a mailing (its owner, a manager or an admin). While
    disabled nothing is sent (a dispatcher sending it stops within a message);
    its pending attempts wait for re-enabling. A
    mailing enabled inside its window resumes on the next cron tick."""
    if not can_toggle_mailing(by, mailing):
        raise PermissionDenied(_("You may not enable or disable this mailing."))
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().select_related("owner").get(pk=mailing.pk)
        mailing.is_active = active
        if active:
            _schedule(mailing, _now(now))
        else:
            announce_withdrawal()
        mailing.save(update_fields=["is_active", "next_run_at", "updated_at"])
    return refresh_status(mailing)


def plan_run(*, mailing: Mailing, run_at: datetime) -> int:
    """Create the pending attempts of one run, one per client the mailing goes
    to — its own clients and whoever is on its lists now, each once —
    idempotently: planning the same run twice creates nothing new. Returns how
    many were new.

    In chunks of PLAN_CHUNK clients, each its own short transaction when
    called outside one (the dispatcher's planner): an interrupted plan is
    completed by planning the run again (with the lists as they are then)."""
    return sum(created for created, _ in plan_run_in_chunks(mailing=mailing, run_at=run_at))


def plan_run_in_chunks(
    *, mailing: Mailing, run_at: datetime, first_chunk: int | None = None
) -> Iterator[tuple[int, bool]]:
    """`plan_run` a chunk at a time, for a dispatcher that sends the first
    chunk's messages while it plans the next: yields, once each chunk is in
    (committed, when called outside a transaction), how many attempts it
    created and whether it was the last. The first chunk is of `first_chunk`
    clients, the others of PLAN_CHUNK."""
    mark_runs_stale([(mailing.pk, run_at)])
    after, size = 0, first_chunk or PLAN_CHUNK
    while True:
        with transaction.atomic():
            targets, params = _targets(mailing.pk, after=after, upto=None)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT client_id FROM ({targets}) AS targets ORDER BY client_id LIMIT 1 OFFSET %s",  # noqa: S608
                    [*params, size - 1],
                )
                row = cursor.fetchone()
            upto = row[0] if row else None
            created = _plan_chunk(mailing.pk, run_at, after=after, upto=upto)
            owners_changed([mailing.owner_id])
        yield created, upto is None
        if upto is None:
            return
        after, size = upto, PLAN_CHUNK


def _targets(mailing_id: int, *, after: int, upto: int | None) -> tuple[str, list]:
    """The SQL of the ids (`client_id`) of the clients `after` < id <= `upto`
    the mailing goes to: its own and its lists' members, each once (UNION)."""
    quote = connection.ops.quote_name
    client_id, mailing_col = quote("client_id"), quote("mailing_id")
    bounds = " > %s AND {} <= %s" if upto is not None else " > %s"
    own = (
        f"SELECT r.{client_id} AS client_id FROM {quote(MailingRecipient._meta.db_table)} r "  # noqa: S608
        f"WHERE r.{mailing_col} = %s AND r.{client_id}{bounds.format(f'r.{client_id}')}"
    )
    listed = (
        f"SELECT m.{client_id} AS client_id FROM {quote(ListMember._meta.db_table)} m "  # noqa: S608
        f"JOIN {quote(MailingTarget._meta.db_table)} t ON t.{quote('client_list_id')} = m.{quote('client_list_id')} "
        f"WHERE t.{mailing_col} = %s AND m.{client_id}{bounds.format(f'm.{client_id}')}"
    )
    limits = [after] if upto is None else [after, upto]
    return f"{own} UNION {listed}", [mailing_id, *limits, mailing_id, *limits]


def _plan_chunk(mailing_id: int, run_at: datetime, *, after: int, upto: int | None) -> int:
    """One INSERT … SELECT of the attempts of the clients `after` < id <= `upto`:
    no model instances, and the database checks the unique (mailing, client, run).
    With them, in the same transaction, the targeted lists that hold each new
    attempt's client (`AttemptSource`, the report by list). Runs inside the
    caller's transaction."""
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    attempts = quote(Attempt._meta.db_table)
    targets, params = _targets(mailing_id, after=after, upto=upto)
    insert = (
        f"INSERT INTO {attempts} "  # noqa: S608 - names from the models
        f"({quote('mailing_id')}, {quote('client_id')}, {quote('run_at')}, {quote('next_try_at')}, "
        f"{quote('status')}, {quote('tries')}, {quote('server_response')}) "
        f"SELECT %s, targets.client_id, %s, %s, %s, 0, '' FROM ({targets}) AS targets WHERE 1 = 1"
        # In client order, so a run is sent in the order of its clients (ids follow the insert).
        " ORDER BY targets.client_id ON CONFLICT DO NOTHING"
    )
    values = [mailing_id, adapt(run_at), adapt(run_at), AttemptStatus.PENDING.value, *params]
    client_list, client_id = quote("client_list_id"), quote("client_id")
    sources = (
        f"INSERT INTO {quote(AttemptSource._meta.db_table)} "  # noqa: S608
        f"({quote('mailing_id')}, {quote('run_at')}, {client_list}, {client_id}) "
        f"SELECT %s, %s, m.{client_list}, planned.{client_id} FROM {{planned}} "
        f"JOIN {quote(ListMember._meta.db_table)} m ON m.{client_id} = planned.{client_id} "
        f"JOIN {quote(MailingTarget._meta.db_table)} t ON t.{client_list} = m.{client_list} "
        f"WHERE t.{quote('mailing_id')} = %s{{more}} "
        # sources of attempts deleted since (they have no key to them) are there already: kept
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement, so one snapshot: the sources are the lists exactly as the attempts were read from them.
            cursor.execute(
                f"WITH planned AS ({insert} RETURNING {client_id}), "  # noqa: S608
                f"sourced AS ({sources.format(planned='planned', more='')}) SELECT count(*) FROM planned",
                [*values, mailing_id, adapt(run_at), mailing_id],
            )
            return cursor.fetchone()[0]
        # SQLite: the attempts' INSERT takes the database's write lock until the transaction ends, so the lists
        # cannot change before their sources are written; the new attempts are those above the highest id before.
        cursor.execute(f"SELECT COALESCE(MAX({quote('id')}), 0) FROM {attempts}")  # noqa: S608
        (highest,) = cursor.fetchone()
        cursor.execute(insert, values)
        created = cursor.rowcount
        if created:
            planned = f"{attempts} AS planned"
            cursor.execute(
                sources.format(
                    planned=planned, more=f" AND planned.{quote('mailing_id')} = %s AND planned.{quote('id')} > %s"
                ),
                [mailing_id, adapt(run_at), mailing_id, mailing_id, highest],
            )
        return created


def _open_extra_run(mailing: Mailing) -> datetime | None:
    """The latest run planned by "send now" (not an occurrence of the schedule)
    that still has attempts open."""
    open_runs = (
        mailing.attempts.filter(status__in=OPEN_ATTEMPT_STATUSES)
        .order_by("-run_at")
        .values_list("run_at", flat=True)
        .distinct()
    )
    tz = mailing.owner.tzinfo
    for run_at in open_runs:
        if scheduling.last_occurrence_at_or_before(mailing.start_at, mailing.periodicity, tz, run_at) != run_at:
            return run_at
    return None


def mailing_send_now(*, mailing: Mailing, now: datetime | None = None) -> datetime:
    """Plan an extra run at once, outside the schedule (which is left as it is).
    The dispatcher sends it on its next pass. Returns the run's time.

    Idempotent while the previous extra run still has attempts open: asking
    again (a double click, a retried request) answers that run and plans nothing."""
    run_at = _now(now)
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().select_related("owner").get(pk=mailing.pk)
        if (open_run := _open_extra_run(mailing)) is not None:
            return open_run
        plan_run(mailing=mailing, run_at=run_at)
        if mailing.last_run_at is None or run_at > mailing.last_run_at:
            mailing.last_run_at = run_at
            mailing.save(update_fields=["last_run_at", "updated_at"])
    refresh_status(mailing)
    return run_at


@dataclass(frozen=True)
class Resend:
    """What a resend queued, and whom it left out and why."""

    run_at: datetime | None  # the resend run; None when nothing was queued
    requeued: int
    unsubscribed: int  # failed clients left out: they have unsubscribed since
    suppressed: int  # failed clients left out: their address is suppressed


def mailing_resend_failed(*, mailing: Mailing, run_at: datetime | None = None, now: datetime | None = None) -> Resend:
    """Send the failures of a run (of all runs when run_at is None) again, as a
    resend run of their own at `now`: the failed attempts stay as they were,
    so reports still show what failed first. A client is queued once however
    many runs failed for them, and only while nothing later reached or is
    sending to them; unsubscribed and suppressed clients are left out."""
    failures = Attempt.objects.filter(mailing=mailing, status=AttemptStatus.FAILURE)
    if run_at is not None:
        failures = failures.filter(run_at=run_at)
    later = Attempt.objects.filter(mailing=mailing, client=OuterRef("client"), run_at__gt=OuterRef("run_at"))
    failures = failures.exclude(Exists(later.exclude(status=AttemptStatus.FAILURE)))
    with transaction.atomic():
        # One resend at a time per mailing: two would queue the same client twice.
        mailing = Mailing.objects.select_for_update().select_related("owner").get(pk=mailing.pk)
        latest = {}
        rows = failures.order_by("client_id", "run_at").values_list(
            "client_id", "run_at", "resend_of", "client__unsubscribed_at", "client__suppressed_at"
        )
        for client_id, failed_run, resend_of, unsubscribed_at, suppressed_at in rows:
            latest[client_id] = (resend_of or failed_run, unsubscribed_at, suppressed_at)
        suppressed = sum(1 for _, _, gone in latest.values() if gone)
        unsubscribed = sum(1 for _, left, gone in latest.values() if left and not gone)
        queue = {client_id: original for client_id, (original, left, gone) in latest.items() if not (left or gone)}
        if not queue:
            resend_at = None
        else:
            resend_at = _now(now)
            # A run of the same second exists (attempts are unique per run, and a
            # run without recipients has its rollup row only): the next second.
            while (
                Attempt.objects.filter(mailing=mailing, run_at=resend_at).exists()
                or RunStats.objects.filter(mailing=mailing, run_at=resend_at).exists()
            ):
                resend_at += timedelta(seconds=1)
            Attempt.objects.bulk_create(
                [
                    Attempt(mailing=mailing, client_id=client_id, run_at=resend_at, next_try_at=resend_at, resend_of=of)
                    for client_id, of in sorted(queue.items())
                ]
            )
            mark_runs_stale([(mailing.pk, resend_at)], resend=True)
    refresh_status(mailing)
    return Resend(run_at=resend_at, requeued=len(queue), unsubscribed=unsubscribed, suppressed=suppressed)
