"""What a dispatcher watches between two messages of a batch, without a
database round trip per message.

- **Its database connection.** A lost connection is noticed before the next
  message is sent: a terminated PostgreSQL backend closes the socket, which
  then reads as readable (`select` with no wait). Every database step of the
  dispatcher runs through `with_database`, which reconnects and runs the step
  again, a bounded number of times.
- **Withdrawals.** A mailing disabled, its owner blocked, its end passed (plus
  `DISPATCH_END_GRACE_SECONDS`), or recipients removed: the batch's mailings
  and rows are looked up again every few seconds or hundred messages
  (`sending.NOTIFIED_LOOK`, `POLLED_LOOK`), and on PostgreSQL at once when a service announces a withdrawal:
  the dispatcher LISTENs on `CHANNEL`, and a notification makes the socket
  readable as well, so disabling stops a mailing's sending within one message.
"""

import logging
import select
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connection

logger = logging.getLogger(__name__)

CHANNEL = "mail_service_withdrawn"
RECONNECT_TRIES = 5
T = TypeVar("T")


def with_database(step: Callable[..., T], *args, **kwargs) -> T:
    """Run a database step; when the connection is lost, reconnect and run it
    again (at most RECONNECT_TRIES times, backing off). Only outside a
    transaction: inside one, the lost work cannot be redone from here."""
    for attempt in range(RECONNECT_TRIES):
        try:
            return step(*args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            if connection.in_atomic_block or attempt == RECONNECT_TRIES - 1:
                raise
            logger.warning("database connection lost (%s); reconnecting", str(exc).strip().splitlines()[0])
            connection.close()
            time.sleep(min(0.1 * 2**attempt, 2.0))
    raise AssertionError("unreachable")


def announce_withdrawal() -> None:
    """Tell running dispatchers to look at their batches again now (PostgreSQL
    delivers it when the caller's transaction commits)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")


class ConnectionWatch:
    """Whether the connection has something to say: a notification, or the
    server closing it. PostgreSQL only; elsewhere it never signals."""

    def __init__(self):
        self.enabled = connection.vendor == "postgresql"
        self._listening_on = None
        self._notified = False

    def listen(self) -> None:
        if not self.enabled:
            return
        connection.ensure_connection()
        raw = connection.connection
        if raw is not self._listening_on:
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {CHANNEL}")
            # Notifications read along with our own queries' answers leave
            # nothing on the socket: the handler remembers them (and without
            # one psycopg would keep them all in a backlog).
            raw.add_notify_handler(self._notify)
            self._listening_on = raw

    def _notify(self, notify) -> None:
        self._notified = True

    def seen(self) -> None:
        """What was announced so far has been looked at."""
        self._notified = False

    def signalled(self, *, socket: bool = True) -> bool:
        """Something was announced, or (`socket`) the connection has something to say."""
        if not self.enabled:
            return False
        if self._notified:
            self._notified = False
            return True
        return socket and self.readable()

    def readable(self) -> bool:
        """The connection's socket has something to read (or was closed), without waiting."""
        if not self.enabled:
            return False
        raw = connection.connection
        if raw is None:
            return True
        try:
            return bool(select.select([raw.fileno()], [], [], 0)[0])
        except (OSError, ValueError):  # closed under us
            return True


class Schedule:
    """When the next look is due: after `seconds` or `messages`, whichever first."""

    def __init__(self, seconds: float, messages: int):
        self.seconds, self.messages = seconds, messages
        self.reset()

    def reset(self) -> None:
        self.at = time.monotonic() + self.seconds
        self.left = self.messages

    def due(self) -> bool:
        self.left -= 1
        return self.left <= 0 or time.monotonic() >= self.at


def sendable(states, *, now: datetime, grace: timedelta) -> tuple[set[int], dict[int, datetime]]:
    """From (mailing id, may send (`Mailing.may_send_q`), end_at) rows: the
    mailings that may send now, and those whose end (plus the grace) has passed."""
    may, ended = set(), {}
    for pk, may_send, end_at in states:
        if end_at is not None and now >= end_at + grace:
            ended[pk] = end_at
        elif may_send:
            may.add(pk)
    return may, ended
