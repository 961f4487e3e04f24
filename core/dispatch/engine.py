"""The dispatcher: a loop of small steps that cron and `send_mailing` drive.

Each step does one thing — plan one due mailing, or claim and send one batch —
and returns whether it found work, so `while dispatcher.handle_one(): pass`
drains everything and a test can drive exactly one step. The loop stops when
the time budget is spent or the mail server as a whole fails.
"""

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime

from django.db import DatabaseError, connection
from django.utils import timezone

from core.dispatch.claiming import claim_batch
from core.dispatch.config import DispatchConfig
from core.dispatch.outcomes import ServerFault
from core.dispatch.planning import planning_steps
from core.dispatch.sending import MessageCache, send_batch
from core.dispatch.transport import transport_from_settings
from core.dispatch.watch import ConnectionWatch, with_database
from core.models import Mailing

logger = logging.getLogger(__name__)

PLANNING_POLL_SECONDS = 0.2  # how often a dispatcher with nothing to claim looks at another's planning


class Dispatcher:
    def __init__(
        self,
        *,
        config: DispatchConfig | None = None,
        transport=None,
        mailing_id: int | None = None,
        time_budget: float | None = None,
        clock: Callable[[], datetime] = timezone.now,
        on_batch: Callable[[Counter], None] | None = None,
    ):
        self.config = config or DispatchConfig.from_settings()
        self.transport = transport or transport_from_settings(self.config)
        self.mailing_id = mailing_id
        self.clock = clock
        self.on_batch = on_batch
        self.messages = MessageCache()
        self.connection_watch = ConnectionWatch()
        self.counts: Counter = Counter()
        self.planned = 0
        self.fault: ServerFault | None = None
        self._planning: Iterator[Mailing] | None = None  # the steps of the run this dispatcher is planning
        self._planning_done = False
        self._send_next = False
        self._waited_for_planning = 0.0
        self.deadline = None if time_budget is None else time.monotonic() + time_budget

    def plan_step(self) -> bool:
        """Plan the next chunk of the run being planned, or start planning the
        next due run with its first chunk. False when nothing is due."""
        mailing = with_database(self._next_planned)
        if mailing is None:
            return False
        if mailing.planning_run_at is None:  # the run is planned (or only its schedule moved)
            self.planned += 1
            logger.info("planned mailing %s, run at %s", mailing.pk, mailing.last_run_at)
        return True

    def _next_planned(self) -> Mailing | None:
        if self._planning is None:
            first_chunk = self.config.batch_size  # one batch to send while the next chunk is planned
            self._planning = planning_steps(self.clock(), mailing_id=self.mailing_id, first_chunk=first_chunk)
        try:
            mailing = next(self._planning, None)
        except BaseException:
            # The steps end with the error; tried again, new steps find the run still marked and complete it.
            self._planning = None
            raise
        if mailing is None or mailing.planning_run_at is None:  # nothing due, or the run is planned
            self._planning = None
        return mailing

    def _stop_planning(self) -> None:
        """Leave the run being planned midway (an error stopped the dispatcher): its
        planner's lock goes, and the run stays marked for the next pass to complete."""
        planning, self._planning = self._planning, None
        if planning is not None:
            try:
                planning.close()
            except DatabaseError:
                connection.close()  # the lock ends with the connection

    def send_step(self) -> bool:
        now = self.clock()
        claimed = with_database(
            claim_batch,
            now=now,
            lease_until=now + self.config.lease,
            size=self.config.batch_size,
            mailing_id=self.mailing_id,
        )
        if not claimed:  # while this dispatcher plans a run, its next chunk comes next
            return self._planning is not None or self._wait_for_planning()
        result = send_batch(
            claimed,
            transport=self.transport,
            messages=self.messages,
            config=self.config,
            deadline=self.deadline,
            connection_watch=self.connection_watch,
        )
        self.counts.update(result.counts)
        if self.on_batch is not None:
            self.on_batch(self.counts)
        if result.fault is not None:
            self.fault = result.fault
            logger.warning("stopped sending: %s", result.fault.reason)
            return False
        return not self.out_of_time()

    def _wait_for_planning(self) -> bool:
        """Nothing to claim, but another dispatcher may still be creating a run's
        attempts (they are committed in chunks): wait for them a little, within
        a lease's time, rather than stop having sent nothing. Planning is looked
        at again, so a run whose planner was killed midway is completed here."""
        planning = Mailing.objects.filter(planning_run_at__isnull=False)
        if self.mailing_id is not None:
            planning = planning.filter(pk=self.mailing_id)
        if self.out_of_time() or self._waited_for_planning >= self.config.lease_seconds:
            return False
        if not with_database(planning.exists):
            return False
        time.sleep(PLANNING_POLL_SECONDS)
        self._waited_for_planning += PLANNING_POLL_SECONDS
        self._planning_done = False
        return True

    def handle_one(self) -> bool:
        """Plan a chunk of a due run, or else send one batch: while a run is being
        planned the two take turns, so its first messages go out while the rest
        is planned. False when nothing is left to do now (or may be: the budget
        is spent, the mail server failed)."""
        if self.fault is not None or self.out_of_time():
            # Nothing more is sent; a run being planned is planned to its end (the next pass only sends it).
            return self._planning is not None and self.plan_step()
        if not self._planning_done and not self._send_next:
            if self.plan_step():
                self._send_next = self._planning is not None
                return True
            self._planning_done = True
        self._send_next = False
        return self.send_step()

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def run(self) -> Counter:
        """Plan and send until nothing is due, the budget is spent or the server fails."""
        try:
            while self.handle_one():
                pass
        finally:
            self._stop_planning()
            self.transport.close()
        return self.counts

    def summary(self) -> str:
        parts = [f"{self.counts[key]} {key}" for key in ("sent", "failed", "retrying", "skipped")]
        line = f"planned {self.planned} run(s); " + ", ".join(parts)
        if self.counts["lost"]:
            line += f"; {self.counts['lost']} lost their lease to another dispatcher (not recorded by this one)"
        if self.fault is not None:
            line += f"; stopped: {self.fault.reason}"
        return line
