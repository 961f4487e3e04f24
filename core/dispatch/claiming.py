"""Reserving a batch of due attempts for one dispatcher.

An attempt is claimable when it is pending and its `next_try_at` has come, or
when it is `sending` but its lease ran out (the dispatcher that claimed it was
killed). Its mailing must be enabled and its owner not blocked: attempts of a
disabled mailing or a blocked owner stay pending until that changes.

PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` picks rows no other dispatcher is
holding, and the conditional UPDATE marks them `sending` with a lease. SQLite
has no row locks; its IMMEDIATE transactions let one writer in at a time, and
the conditional UPDATE's row count tells whether someone else got there first.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from core.models import Attempt, AttemptStatus


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


def claimable(now: datetime):
    return Attempt.objects.filter(
        status__in=(AttemptStatus.PENDING, AttemptStatus.SENDING),
        next_try_at__lte=now,
        mailing__is_active=True,
        mailing__owner__is_active=True,
    ).filter(Q(status=AttemptStatus.PENDING) | Q(lease_until__lt=now))


def claim_batch(*, now: datetime, lease_until: datetime, size: int, mailing_id: int | None = None) -> list[Claimed]:
    candidates = claimable(now)
    if mailing_id is not None:
        candidates = candidates.filter(mailing_id=mailing_id)
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
            status=AttemptStatus.SENDING, lease_until=lease_until
        )
        if taken != len(ids):
            # Another dispatcher claimed some of them between our read and our write.
            ids = set(
                Attempt.objects.filter(id__in=ids, status=AttemptStatus.SENDING, lease_until=lease_until).values_list(
                    "id", flat=True
                )
            )
            rows = [row for row in rows if row[0] in ids]
    return [Claimed(*row) for row in rows]


def release(ids: list[int], *, reason: str = "", code: int | None = None) -> int:
    """Give claimed attempts back untried (time budget spent, or the server is down)."""
    fields = {"status": AttemptStatus.PENDING, "lease_until": None}
    if reason:
        fields.update(server_response=reason, smtp_code=code)
    return Attempt.objects.filter(id__in=ids, status=AttemptStatus.SENDING).update(**fields)
