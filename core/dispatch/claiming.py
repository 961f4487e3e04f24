"""Reserving a batch of due attempts for one dispatcher.

An attempt is claimable when it is pending and its `next_try_at` has come, or
when it is `sending` but its lease ran out (the dispatcher that claimed it was
killed). Its mailing must be enabled and its owner not blocked: attempts of a
disabled mailing or a blocked owner stay pending until that changes.

PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` picks rows no other dispatcher is
holding, and the conditional UPDATE marks them `sending` with a lease. SQLite
has no row locks; its IMMEDIATE transactions let one writer in at a time, and
the conditional UPDATE's row count tells whether someone else got there first.

Every claim carries a token of its own (`Attempt.claim`). A dispatcher whose
lease ran out may find its rows claimed again by another: every later write
(renewal, release, results) says `status = 'sending' AND claim = <token>`, so
it touches only the rows it still holds and never overwrites another's work.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from core.cache import owners_changed
from core.models import OPEN_ATTEMPT_STATUSES, Attempt, AttemptStatus, Mailing


@dataclass(slots=True)
class Claimed:
    """A claimed attempt with what sending it needs."""

    id: int
    mailing_id: int
    run_at: datetime
    tries: int
    email: str
    full_name: str
    client_id: int
    unsubscribed: bool
    suppressed: bool
    claim: uuid.UUID


def claimable(now: datetime):
    return Attempt.objects.filter(
        Mailing.may_send_q("mailing__"), status__in=OPEN_ATTEMPT_STATUSES, next_try_at__lte=now
    ).filter(Q(status=AttemptStatus.PENDING) | Q(lease_until__lt=now))


def held(ids, claim: uuid.UUID):
    """The attempts among `ids` that this claim still holds."""
    return Attempt.objects.filter(id__in=ids, status=AttemptStatus.SENDING, claim=claim)


def claim_batch(*, now: datetime, lease_until: datetime, size: int, mailing_id: int | None = None) -> list[Claimed]:
    candidates = claimable(now)
    if mailing_id is not None:
        candidates = candidates.filter(mailing_id=mailing_id)
    token = uuid.uuid4()
    with transaction.atomic():
        rows = list(
            candidates.select_for_update(skip_locked=True, of=("self",))
            .order_by("next_try_at", "id")
            .values_list(
                "id",
                "mailing_id",
                "run_at",
                "tries",
                "client__email",
                "client__full_name",
                "client_id",
                Q(client__unsubscribed_at__isnull=False),
                Q(client__suppressed_at__isnull=False),
            )[:size]
        )
        if not rows:
            return []
        ids = [row[0] for row in rows]
        still_open = Q(status=AttemptStatus.PENDING) | Q(status=AttemptStatus.SENDING, lease_until__lt=now)
        taken = Attempt.objects.filter(still_open, id__in=ids).update(
            status=AttemptStatus.SENDING, lease_until=lease_until, claim=token
        )
        if taken != len(ids):
            # Another dispatcher claimed some of them between our read and our write.
            ids = set(held(ids, token).values_list("id", flat=True))
            rows = [row for row in rows if row[0] in ids]
    return [Claimed(*row, token) for row in rows]


def renew(ids: list[int], *, claim: uuid.UUID, lease_until: datetime) -> set[int]:
    """Extend the lease of the attempts this claim still holds; returns their ids
    (the others were claimed again by someone else, or withdrawn)."""
    renewed = held(ids, claim).update(lease_until=lease_until)
    if renewed == len(ids):
        return set(ids)
    return set(held(ids, claim).values_list("id", flat=True))


def release(ids: list[int], *, claim: uuid.UUID, now: datetime, reason: str = "", code: int | None = None) -> int:
    """Give claimed attempts back untried (time budget spent, or the server is
    down). Their next try moves to now: rows given back must not keep the head
    of the queue (sorted by `next_try_at`) from the attempts due after them."""
    fields = {"status": AttemptStatus.PENDING, "lease_until": None, "next_try_at": now}
    if reason:
        fields.update(server_response=reason, smtp_code=code)
    released = held(ids, claim).update(**fields)
    if released and reason:  # the reason shows on the attempts
        owners_changed(Attempt.objects.filter(id__in=ids).values_list("mailing__owner_id", flat=True).distinct())
    return released
