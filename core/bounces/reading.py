"""One pass over the bounce mailbox, bounded in messages and time."""

import logging
import time
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings

from core.bounces.dsn import read_report
from core.bounces.mailboxes import MailboxUnavailable, open_mailbox
from core.dispatch.verp import BounceSenders
from core.services.bounces import attempt_bounced

logger = logging.getLogger(__name__)

__all__ = ["BouncePass", "MailboxUnavailable", "read_bounces"]


@dataclass
class BouncePass:
    # bounced: recorded on their attempt; repeated: already recorded (or the
    # attempt is gone or was never sent); delayed: a report of no failure;
    # left: unrelated or unreadable mail, or a token we did not sign
    counts: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        c = self.counts
        return (
            f"read {c.total()} message(s): {c['bounced']} bounce(s) recorded, {c['repeated']} already known, "
            f"{c['delayed']} not a failure, {c['left']} left in the mailbox (not a bounce of ours)"
        )


def read_bounces(
    *, mailbox_url: str | None = None, limit: int | None = None, deadline: float | None = None
) -> BouncePass:
    """Read up to `limit` unread messages of the bounce mailbox (until the
    monotonic `deadline`), record the bounces they report on their attempts
    and delete them; leave every other message in place, marked seen.
    Raises MailboxUnavailable (after logging why) when the mailbox cannot be
    read; what was done before that stays done."""
    url = mailbox_url or settings.BOUNCE_MAILBOX
    limit = limit or settings.BOUNCE_BATCH
    senders = BounceSenders()
    result = BouncePass()
    try:
        with open_mailbox(url, timeout=settings.BOUNCE_MAILBOX_TIMEOUT) as box:
            for key, raw in box.unread():
                outcome = _handle_one(raw, senders)
                if outcome == "left":
                    box.left(key)
                else:
                    box.processed(key)
                result.counts[outcome] += 1
                if result.counts.total() >= limit or (deadline is not None and time.monotonic() >= deadline):
                    break
    except MailboxUnavailable as exc:
        logger.warning("bounce mailbox unavailable: %s (%s)", exc, result.summary())
        raise
    return result


def _handle_one(raw: bytes, senders: BounceSenders) -> str:
    report = read_report(raw, senders)
    if report.forged:
        logger.warning("a bounce names an attempt with a token we did not sign: left in the mailbox")
    if report.attempt_id is None or not report.is_report:
        return "left"
    if not report.failed:
        return "delayed"
    return "bounced" if attempt_bounced(attempt_id=report.attempt_id, bounce=report.failed[0]) else "repeated"
