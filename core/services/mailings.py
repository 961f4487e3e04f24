"""Mailing writes: create, update, enable/disable, send now, resend failed,
planning a run's attempts and deriving the status. The scheduler owns
`status`, `next_run_at` and `last_run_at`; users never set them."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from core import scheduling
from core.models import Attempt, AttemptStatus, Client, Mailing, MailingStatus, Message, RunStats, User
from core.selectors import can_toggle_mailing
from core.services.stats import mark_runs_stale

OPEN_STATUSES = (AttemptStatus.PENDING, AttemptStatus.SENDING)
PLAN_CHUNK = 2000
SCHEDULE_FIELDS = ("start_at", "end_at", "periodicity")


def batched(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _now(now: datetime | None) -> datetime:
    return (now or timezone.now()).replace(microsecond=0)


def _check_ownership(owner: User, message: Message | None, clients: Iterable[Client] | None) -> None:
    errors = {}
    if message is not None and message.owner_id != owner.pk:
        errors["message"] = _("Choose one of your own messages.")
    if clients is not None:
        foreign = [c for c in clients if c.owner_id != owner.pk]
        if foreign:
            errors["clients"] = _("Choose only your own clients.")
    if errors:
        raise ValidationError(errors)


def _schedule(mailing: Mailing, now: datetime) -> None:
    mailing.next_run_at = scheduling.next_run(
        mailing.start_at,
        mailing.end_at,
        mailing.periodicity,
        mailing.owner.tzinfo,
        last_run_at=mailing.last_run_at,
        now=now,
    )


def next_runs(mailing: Mailing, *, count: int, now: datetime | None = None) -> list[datetime]:
    """The mailing's next `count` runs, in its owner's zone; none while it is disabled."""
    if not mailing.is_active:
        return []
    return scheduling.upcoming(
        mailing.start_at, mailing.end_at, mailing.periodicity, mailing.owner.tzinfo, after=_now(now), count=count
    )


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
    has_open = mailing.attempts.filter(status__in=OPEN_STATUSES).exists()
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
    clients: Iterable[Client],
    start_at: datetime,
    periodicity: str,
    end_at: datetime | None = None,
    is_active: bool = True,
    now: datetime | None = None,
) -> Mailing:
    """Create a mailing. If its window contains now, its first run is due at
    once (the next cron tick sends it); otherwise it starts by itself when its
    time comes."""
    clients = list(clients)
    _check_ownership(owner, message, clients)
    mailing = Mailing(
        owner=owner, message=message, start_at=start_at, end_at=end_at, periodicity=periodicity, is_active=is_active
    )
    mailing.full_clean()
    _schedule(mailing, _now(now))
    mailing.status = derive_status(mailing, has_open_attempts=False)
    mailing.save()
    mailing.clients.set(clients)
    return mailing


@transaction.atomic
def mailing_update(
    *,
    mailing: Mailing,
    message: Message | None = None,
    clients: Iterable[Client] | None = None,
    now: datetime | None = None,
    **fields,
) -> Mailing:
    """Change a mailing's message, clients, schedule or enabled flag. A changed
    schedule is re-planned from now; runs already performed are not repeated."""
    unknown = set(fields) - {*SCHEDULE_FIELDS, "is_active"}
    if unknown:
        raise TypeError(f"mailing_update got unexpected fields {sorted(unknown)}")
    clients = None if clients is None else list(clients)
    _check_ownership(mailing.owner, message, clients)
    if message is not None:
        mailing.message = message
    for name, value in fields.items():
        setattr(mailing, name, value)
    mailing.full_clean()
    _schedule(mailing, _now(now))
    mailing.save()
    if clients is not None:
        mailing.clients.set(clients)
    return refresh_status(mailing)


def mailing_set_active(*, mailing: Mailing, active: bool, by: User, now: datetime | None = None) -> Mailing:
    """Enable or disable a mailing (its owner, a manager or an admin). While
    disabled nothing is sent; its pending attempts wait for re-enabling. A
    mailing enabled inside its window resumes on the next cron tick."""
    if not can_toggle_mailing(by, mailing):
        raise PermissionDenied(_("You may not enable or disable this mailing."))
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().select_related("owner").get(pk=mailing.pk)
        mailing.is_active = active
        if active:
            _schedule(mailing, _now(now))
        mailing.save(update_fields=["is_active", "next_run_at", "updated_at"])
    return refresh_status(mailing)


def plan_run(*, mailing: Mailing, run_at: datetime) -> int:
    """Create the pending attempts of one run (one per recipient), idempotently:
    planning the same run twice creates nothing new. Returns how many were new."""
    before = Attempt.objects.filter(mailing=mailing, run_at=run_at).count()
    # In chunks, so that planning a run of any size needs the same memory.
    client_ids = mailing.recipients.order_by("client_id").values_list("client_id", flat=True)
    for chunk in batched(client_ids.iterator(chunk_size=PLAN_CHUNK), PLAN_CHUNK):
        Attempt.objects.bulk_create(
            [Attempt(mailing=mailing, client_id=client_id, run_at=run_at, next_try_at=run_at) for client_id in chunk],
            ignore_conflicts=True,
        )
    mark_runs_stale([(mailing.pk, run_at)])
    return Attempt.objects.filter(mailing=mailing, run_at=run_at).count() - before


def mailing_send_now(*, mailing: Mailing, now: datetime | None = None) -> datetime:
    """Plan an extra run at once, outside the schedule (which is left as it is).
    The dispatcher sends it on its next pass. Returns the run's time."""
    run_at = _now(now)
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().select_related("owner").get(pk=mailing.pk)
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
