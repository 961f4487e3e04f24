"""Bounces that arrive later: a delivery-status notification for a message the
mail server accepted, recorded on its attempt."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from core.dispatch.outcomes import no_such_mailbox
from core.models import Attempt, AttemptStatus
from core.services.deliverability import record_unknown_recipient
from core.services.stats import mark_runs_stale


@dataclass(frozen=True)
class Bounce:
    """One failed recipient of a delivery-status notification (RFC 3464)."""

    status: str  # the enhanced status code (RFC 3463), "5.1.1"
    diagnostic: str  # the remote server's words, as reported


def attempt_bounced(*, attempt_id: int, bounce: Bounce) -> bool:
    """Record `bounce` on a sent attempt, once: the reports count it as bounced
    from then on, and a "no such mailbox" status counts towards suppressing
    the address under the same rule as a refusal while sending
    (core.dispatch.outcomes.no_such_mailbox, then record_unknown_recipient).
    Returns False when the attempt is gone, was not sent, or has its bounce
    already (a notification delivered twice counts once)."""
    now = timezone.now()
    with transaction.atomic():
        changed = Attempt.objects.filter(pk=attempt_id, status=AttemptStatus.SUCCESS, bounced_at__isnull=True).update(
            bounced_at=now, bounce_status=bounce.status[:16], bounce_diagnostic=bounce.diagnostic[:1000]
        )
        if not changed:
            return False
        attempt = Attempt.objects.values("mailing_id", "client_id", "run_at").get(pk=attempt_id)
        mark_runs_stale({(attempt["mailing_id"], attempt["run_at"])})
        if no_such_mailbox(bounce.status):
            reply = f"{bounce.status} {bounce.diagnostic}".strip()
            record_unknown_recipient(
                client_id=attempt["client_id"], mailing_id=attempt["mailing_id"], run_at=attempt["run_at"], reply=reply
            )
    return True
