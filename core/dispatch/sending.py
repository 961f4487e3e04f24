"""Sending one claimed batch, each outcome written before the next message goes out."""

import logging
import time
import uuid
import weakref
from collections import Counter, deque
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext, gettext_noop

from core.addresses import smtp_address
from core.dispatch.claiming import Claimed, held, release, renew
from core.dispatch.config import DispatchConfig
from core.dispatch.markdown import markdown_parts
from core.dispatch.outcomes import Kind, Outcome, ServerFault
from core.dispatch.rendering import FOOTER_LINK, Rendered, RenderError, RunMessage, Template, Tracking
from core.dispatch.tracking import TrackingUrls, tracked_parts
from core.dispatch.verp import BounceSenders
from core.dispatch.watch import ConnectionWatch, Schedule, sendable, with_database
from core.dkim import Signing, dkim_enabled
from core.models import Attempt, AttemptStatus, Mailing, Message, MessageFormat
from core.services.deliverability import UnsubscribeLinks, record_unknown_recipient
from core.services.mailings import refresh_status
from core.services.stats import AttemptsWritten, mark_runs_stale
from core.services.tracking import link_positions

logger = logging.getLogger(__name__)

RESULT_FIELDS = ["status", "tries", "attempted_at", "next_try_at", "lease_until", "smtp_code", "server_response"]


class MessageCache:
    """The RunMessage of each mailing, built once per dispatcher: the owner's
    name with the configured from-address, the owner's Reply-To, Message-IDs
    on our domain and the unsubscribe line in the owner's language."""

    def __init__(self, from_email: str | None = None):
        self.from_email = from_email or settings.DEFAULT_FROM_EMAIL
        self.links = UnsubscribeLinks()
        self.senders = BounceSenders()
        self.tracking = TrackingUrls()
        self._messages: dict[int, RunMessage | str] = {}  # a str: why the message cannot be built
        self._positions: dict[int, list[int]] = {}  # a tracked message's link numbers as its mailing keeps them

    def get(self, mailing_id: int) -> RunMessage | None:
        """The mailing's message, or None if the mailing was deleted meanwhile.
        Raises RenderError when it cannot be built: that fails this mailing's
        attempts, never the run (another owner's mail is not at fault)."""
        message = self._messages.get(mailing_id)
        if message is None:
            found = (
                Mailing.objects.filter(pk=mailing_id)
                .values_list(
                    "message__subject",
                    "message__body",
                    "message__format",
                    "owner__full_name",
                    "owner__reply_to",
                    "owner__language",
                    "track_clicks",
                    "track_opens",
                )
                .first()
            )
            if found is None:
                return None
            subject, body, body_format, sender_name, reply_to, language, track_clicks, track_opens = found
            try:
                message = run_message(
                    subject=subject,
                    body=body,
                    body_format=body_format,
                    sender_name=sender_name,
                    reply_to=reply_to,
                    language=language,
                    from_email=self.from_email,
                    track_clicks=track_clicks,
                    track_opens=track_opens,
                )
            except RenderError as exc:
                message = str(exc)
            else:
                self._positions[mailing_id] = link_positions(mailing_id=mailing_id, urls=message.links)
            self._messages[mailing_id] = message
        if isinstance(message, str):
            raise RenderError(message)
        return message

    def envelope_from(self, item: Claimed, message: RunMessage) -> str:
        """The attempt's envelope sender: its VERP address when bounces come back to one."""
        return self.senders.envelope_from(item.id, message.envelope_from)

    def tracking_for(self, attempt_id: int, mailing_id: int, message: RunMessage) -> Tracking | None:
        """The recipient's tracked links and image, when the mailing's message has any."""
        if not (message.links or message.tracks_opens):
            return None
        return self.tracking.for_attempt(attempt_id, self._positions[mailing_id], message.tracks_opens)


def run_message(
    *,
    subject: str,
    body: str,
    sender_name: str,
    reply_to: str,
    language: str,
    from_email: str | None = None,
    body_format: str = MessageFormat.PLAIN,
    track_clicks: bool = False,
    track_opens: bool = False,
) -> RunMessage:
    """A mailing's message as every recipient gets it: the owner's name with the
    configured from-address, the owner's Reply-To, Message-IDs on our domain and
    the unsubscribe line in the owner's `language` — a Markdown body as its
    plain text and its HTML (core.dispatch.markdown), rendered here once.
    With `track_clicks` its links (but the unsubscribe link) lead through
    per-recipient redirects, with `track_opens` its HTML part has an image
    that counts opens (core.dispatch.tracking); neither is ever set for a test.
    Raises RenderError when the owner's name or Reply-To, or the configured
    from-address, is not usable."""
    # The configured sender is ours and trusted; the owner's name is only ever
    # a display name in front of it, never parsed as part of an address.
    configured_name, address = parseaddr(from_email or settings.DEFAULT_FROM_EMAIL)
    parts = {}
    with translation.override(language):
        unsubscribe = gettext(
            "You receive this email as a client of %(sender)s. To stop receiving it, unsubscribe: %(link)s"
        )
        sender = sender_name or configured_name or address
        footer = "\n\n-- \n" + unsubscribe % {"sender": sender, "link": FOOTER_LINK}
        if body_format == MessageFormat.MARKDOWN:
            link = format_html('<a href="{}" style="color: #5f6b76;">{}</a>', FOOTER_LINK, FOOTER_LINK)
            text, html = markdown_parts(
                subject=subject,
                body=body,
                footer_html=conditional_escape(unsubscribe) % {"sender": conditional_escape(sender), "link": link},
                links_heading=gettext("Links:"),
                language=language,
                site_url=settings.SITE_URL,
            )
            parts = {"text": text, "html": html}
    if track_clicks or track_opens:
        text = parts.get("text")
        if text is None:
            if (error := Template(body).error) is not None:
                raise RenderError(error)
            text = Template(body)
        text, html, links = tracked_parts(text, parts.get("html"), clicks=track_clicks, opens=track_opens)
        parts = {"text": text, "html": html, "links": links, "tracks_opens": track_opens and html is not None}
    return RunMessage(
        subject=subject,
        body=body,
        from_address=address,
        sender_name=sender_name or configured_name,
        reply_to=reply_to,
        message_id_domain=settings.MESSAGE_ID_DOMAIN,
        footer=footer,
        **parts,
    )


@dataclass(frozen=True)
class Preview:
    email: str
    full_name: str
    subject: str
    body: str
    error: str | None = None  # why the message cannot be built, when it cannot
    html: str = ""  # a Markdown message's HTML part


def reader(owner, client=None) -> tuple[str, str]:
    """(email, full name) of `client`, or of a sample client in the owner's language."""
    if client is not None:
        return client.email, client.full_name
    with translation.override(owner.language):
        return "anna.petrova@example.com", gettext("Anna Petrova")


def preview_message(message: Message, client=None, *, link: str | Promise) -> Preview:
    """The message as `client` would read it — or, without one, a sample client —
    `link` standing for their unsubscribe link (translated, like the footer,
    into the owner's language). A message that cannot be built comes back as
    written, with the reason."""
    owner = message.owner
    with translation.override(owner.language):
        link = str(link)
    email, full_name = reader(owner, client)
    try:
        built = run_message(
            subject=message.subject,
            body=message.body,
            body_format=message.format,
            sender_name=owner.full_name,
            reply_to=owner.reply_to,
            language=owner.language,
        ).render(email=email, full_name=full_name, link=link)
    except RenderError as exc:
        return Preview(email, full_name, message.subject, message.body, str(exc))
    return Preview(email, full_name, built.subject, built.body, html=built.html)


@dataclass
class BatchResult:
    counts: Counter = field(default_factory=Counter)  # sent / failed / retrying / skipped / released / lost
    fault: ServerFault | None = None


# When a batch is looked at again (seconds, messages; whichever comes first). With
# notifications (PostgreSQL) the regular look is only a fallback; each look is two queries.
NOTIFIED_LOOK = (2.0, 500)
POLLED_LOOK = (0.2, 50)

# Sent messages whose results may be unrecorded at any moment: a message's
# result is written before the next message's data goes out, so a dispatcher
# killed, or whose database is lost for good, leaves at most this one to be
# sent again. (Not counted: the replies of a streak of dropped connections,
# held back until it is known whether they were the server's fault.)
UNRECORDED_AT_MOST = 1


class BatchWatch:
    """A batch's lease and what was withdrawn from it, looked at between two
    messages (see core.dispatch.watch): the lease is renewed when half of it
    has passed, rows no longer held (claimed again, or withdrawn) are dropped
    unsent, and the batch's mailings are looked up again."""

    def __init__(self, claimed: list[Claimed], config: DispatchConfig, connection_watch: ConnectionWatch):
        self.claim = claimed[0].claim
        self.config = config
        self.connection = connection_watch
        self.mailing_ids = {c.mailing_id for c in claimed}
        self.schedule = Schedule(*(NOTIFIED_LOOK if connection_watch.enabled else POLLED_LOOK))
        self.renew_at = time.monotonic() + config.lease_seconds / 2
        self.may: set[int] = set()
        self.ended: dict[int, datetime] = {}

    def due(self, *, writing: bool = False) -> bool:
        """Time to look again. While a result's write is on its way (`writing`) the
        connection's socket is not looked at (its answer makes it readable; a
        failure shows when the answer is read), only what was announced."""
        renewal = time.monotonic() >= self.renew_at
        return self.connection.signalled(socket=not writing) | self.schedule.due() | renewal

    def look(self, queue: deque[Claimed], unwritten: list[int], counts: Counter) -> deque[Claimed]:
        """The rows of `queue` still held, after renewing the lease if it is time
        (the `unwritten` rows, sent but not yet written, are renewed too)."""
        self.connection.listen()
        now = timezone.now()
        ids = [c.id for c in queue] + unwritten
        if time.monotonic() >= self.renew_at:
            kept = renew(ids, claim=self.claim, lease_until=now + self.config.lease)
            self.renew_at = time.monotonic() + self.config.lease_seconds / 2
        else:
            kept = set(held(ids, self.claim).values_list("id", flat=True))
        states = Mailing.objects.filter(pk__in=self.mailing_ids).values_list("pk", Mailing.may_send_q(), "end_at")
        self.may, self.ended = sendable(states, now=now, grace=timedelta(seconds=self.config.end_grace_seconds))
        self.schedule.reset()
        self.connection.seen()
        still = deque(c for c in queue if c.id in kept)
        if len(still) < len(queue):
            _report_lost(len(queue) - len(still), "not sent", counts)
        return still


@dataclass(slots=True)
class Result:
    """An attempt's row after one try: the values the write-back stores (RESULT_FIELDS)."""

    id: int
    status: str
    tries: int
    attempted_at: datetime
    next_try_at: datetime
    smtp_code: int | None
    server_response: str
    lease_until: datetime | None = None
    hard_bounce: bool = False  # counts towards suppressing the address once written


def apply_outcome(item: Claimed, outcome: Outcome, *, now: datetime, config: DispatchConfig) -> Result:
    """The attempt row after one try with this outcome."""
    if outcome.kind is Kind.SKIPPED:
        return Result(item.id, AttemptStatus.SKIPPED, item.tries, now, now, None, outcome.response)
    tries = item.tries + 1
    if outcome.kind is Kind.SUCCESS:
        status, response, next_try_at = AttemptStatus.SUCCESS, outcome.response, now
    elif outcome.kind is Kind.PERMANENT:
        status, response, next_try_at = AttemptStatus.FAILURE, outcome.response, now
    elif tries >= config.max_tries:
        status, next_try_at = AttemptStatus.FAILURE, now
        response = f"gave up after {tries} tries; last: {outcome.response}"
    else:
        status, response, next_try_at = AttemptStatus.PENDING, outcome.response, now + config.backoff(tries)
    return Result(item.id, status, tries, now, next_try_at, outcome.code, response, hard_bounce=outcome.hard_bounce)


COUNTED = {AttemptStatus.SUCCESS: "sent", AttemptStatus.SKIPPED: "skipped", AttemptStatus.FAILURE: "failed"}


class Recorder:
    """Writes the results of a batch as they come, each before the next
    message's data is sent: `record` hands results over, `confirm` waits until
    everything handed over is written and raises when it could not be (after
    reconnecting, see `with_database`) — then nothing more may be sent.

    On PostgreSQL a result's UPDATE is sent without waiting for its answer,
    which is read when the next message's data is about to go out: the write
    (and the server's commit) overlaps the next message's envelope. Elsewhere —
    SQLite, or a caller inside a transaction — it is written and committed at
    once."""

    def __init__(self, claimed: list[Claimed], claim: uuid.UUID):
        self.claim = claim
        self.by_id = {c.id: c for c in claimed}
        self.counts: Counter = Counter()
        self._overlap = connection.vendor == "postgresql" and not connection.in_atomic_block
        self._pending: tuple[Result, ...] | None = None
        self._raw = None  # the connection that will answer the pending write
        self._tell_readers = AttemptsWritten()

    @property
    def writing(self) -> bool:
        """A write was sent and its answer is not read yet (the connection is busy)."""
        return self._pending is not None

    def record(self, *results: Result) -> None:
        self.confirm()
        if self._overlap and len(results) == 1:
            self._raw = _send_update(results[0], self.claim)
        if self._raw is not None:
            self._pending = results
        else:
            self._written(results, with_database(_store_results, results, claim=self.claim))

    def confirm(self) -> None:
        results, self._pending = self._pending, None
        if results is None:
            return
        written, self._raw = _read_update(self._raw), None
        if written is None:  # the connection failed under the write: write it again, reconnecting
            connection.close()
            lost = with_database(_store_results, results, claim=self.claim)
        else:
            lost = set() if written == len(results) else with_database(_not_written, results, self.claim)
        self._written(results, lost)

    def _written(self, results: tuple[Result, ...], lost: set[int]) -> None:
        with_database(
            self._tell_readers, [self.by_id[result.id].mailing_id for result in results if result.id not in lost]
        )
        if lost:
            _report_lost(len(lost), "not recorded", self.counts)
        bounced = []
        for result in results:
            if result.id in lost:
                continue
            self.counts[COUNTED.get(result.status, "retrying")] += 1
            if result.hard_bounce and result.status == AttemptStatus.FAILURE:
                bounced.append(result)
        if bounced:
            with_database(_record_bounces, bounced, self.by_id)


def send_batch(
    claimed: list[Claimed],
    *,
    transport,
    messages: MessageCache,
    config: DispatchConfig,
    deadline: float | None = None,
    connection_watch: ConnectionWatch | None = None,
) -> BatchResult:
    """Send each claimed attempt over the transport and record its outcome
    before the next message's data goes out (`Recorder`).

    Stops early — giving the rest back untried — when the time budget is spent
    or the server as a whole fails (ServerFault, or `server_fault_after`
    connection failures in a row); the reason is stored on the attempts given
    back. The connection failures that led up to a server fault were the
    server's, not their recipients': those attempts keep their tries. Attempts
    of a mailing disabled (or whose owner was blocked) meanwhile are given back
    to wait; those of a mailing past its end are skipped with the reason; rows
    withdrawn or claimed again are dropped unsent."""
    result = BatchResult()
    if not claimed:
        return result
    watch = BatchWatch(claimed, config, connection_watch or ConnectionWatch())
    recorder = Recorder(claimed, watch.claim)
    try:
        _send_each(claimed, watch, recorder, result, transport=transport, messages=messages, deadline=deadline)
    finally:
        recorder.confirm()
    result.counts.update(recorder.counts)
    with_database(_refresh_runs, claimed)
    return result


def _send_each(
    claimed: list[Claimed], watch: BatchWatch, recorder: Recorder, result: BatchResult, *, transport, messages, deadline
) -> None:
    config = watch.config
    queue = deque(claimed)
    withheld: list[Claimed] = []
    # Connection failures in a row, the latest last: their results are held back
    # (they may yet be given back untried, as part of a server fault).
    streak: list[tuple[Claimed, Outcome, Result]] = []
    signing_ahead: dict[int, Built | Outcome] = {}  # the next message, signed while this one goes out
    first = True
    while queue:
        if deadline is not None and time.monotonic() >= deadline:
            withheld.extend(queue)
            break
        if recorder.writing and watch.connection.readable():
            recorder.confirm()  # its answer is in (with anything announced meanwhile)
        if first or watch.due(writing=recorder.writing):
            recorder.confirm()
            queue = with_database(watch.look, queue, [item.id for item, _, _ in streak], result.counts)
            first = False
            if not queue:
                break
        item = queue.popleft()
        if item.mailing_id in watch.ended:
            reason = f"not sent: the mailing ended at {watch.ended[item.mailing_id]:%Y-%m-%d %H:%M} UTC"
            recorder.record(apply_outcome(item, Outcome(Kind.SKIPPED, None, reason), now=timezone.now(), config=config))
            continue
        if item.mailing_id not in watch.may:
            withheld.append(item)
            continue
        built = signing_ahead.pop(item.id, None) or _build(item, messages)
        signing_ahead.clear()
        following = _expected_next(queue, watch, messages)
        if following is not None and dkim_enabled():  # its signature is made while this message goes out
            signing_ahead[following.id] = _build(following, messages)
        try:
            if isinstance(built, Outcome):  # not to be sent: skipped, or it cannot be built
                outcome = built
            else:
                then, then_from = _next_envelope(following, messages)
                outcome = transport.send(
                    built.envelope_from, built.message(), ready=recorder.confirm, then=then, then_from=then_from
                )
        except ServerFault as fault:
            result.fault, untried = fault, [item, *queue]
        else:
            done = apply_outcome(item, outcome, now=timezone.now(), config=config)
            if not outcome.broken:
                recorder.record(*(held for _, _, held in streak), done)
                streak.clear()
            else:
                streak.append((item, outcome, done))
            if len(streak) >= config.server_fault_after:
                result.fault = ServerFault(
                    f"{len(streak)} connection failures in a row with {transport.server}; last: {outcome.response}"
                )
                untried = list(queue)
        if result.fault is not None:
            reason = f"not sent yet, the mail server failed: {result.fault.reason}"
            result.counts["released"] += with_database(
                release,
                [c.id for c in untried],
                claim=watch.claim,
                now=timezone.now(),
                reason=reason,
                code=result.fault.code,
            )
            if streak:
                result.counts["released"] += _give_back_tries(streak, watch.claim, result.fault)
            streak.clear()
            break
    if streak:  # the batch ended within a streak that did not become a server fault
        recorder.record(*(held for _, _, held in streak))
    if withheld:
        ids = [c.id for c in withheld]
        result.counts["released"] += with_database(release, ids, claim=watch.claim, now=timezone.now())


def _give_back_tries(streak: list[tuple[Claimed, Outcome, Result]], claim: uuid.UUID, fault: ServerFault) -> int:
    """Release the attempts whose failures were part of a server fault, their
    tries untouched (their results were never written)."""
    by_reply: dict[str, list[int]] = {}
    for item, outcome, _ in streak:
        by_reply.setdefault(outcome.response, []).append(item.id)
    released = 0
    for reply, reply_ids in by_reply.items():
        reason = f"{reply}; not counted as a try, the mail server failed: {fault.reason}"
        released += with_database(release, reply_ids, claim=claim, now=timezone.now(), reason=reason, code=fault.code)
    return released


def _expected_next(queue: deque[Claimed], watch: BatchWatch, messages: MessageCache) -> Claimed | None:
    """The attempt expected to be sent next, if it can be told now: the
    transport sends its envelope ahead (and with DKIM it is signed meanwhile)."""
    if not queue:
        return None
    item = queue[0]
    if item.unsubscribed or item.suppressed or item.mailing_id not in watch.may or item.mailing_id in watch.ended:
        return None
    try:
        if messages.get(item.mailing_id) is None:
            return None
        smtp_address(item.email)
    except (RenderError, ValueError):
        return None
    return item


def _next_envelope(following: Claimed | None, messages: MessageCache) -> tuple[str | None, str | None]:
    """(recipient, sender) of the envelope the transport may send ahead."""
    if following is None:
        return None, None
    return smtp_address(following.email), messages.envelope_from(following, messages.get(following.mailing_id))


@dataclass(slots=True)
class Built:
    """A message ready to go, but perhaps for its DKIM signature, being made."""

    envelope_from: str
    rendered: Rendered
    signing: Signing | None = None

    def message(self) -> Rendered:
        if self.signing is None:
            return self.rendered
        return replace(self.rendered, data=self.signing.result())


def _build(item: Claimed, messages: MessageCache) -> Built | Outcome:
    """The message for this attempt (its DKIM signature started) — or, when it
    is not to be sent, the outcome that says why."""
    if item.unsubscribed:
        return Outcome(Kind.SKIPPED, None, gettext_noop("not sent: the client unsubscribed"))
    if item.suppressed:
        reply = gettext_noop("not sent: the address is suppressed after permanent failures")
        return Outcome(Kind.SKIPPED, None, reply)
    try:
        message = messages.get(item.mailing_id)
    except RenderError as exc:
        return Outcome(Kind.PERMANENT, None, f"the message could not be built: {exc}")
    if message is None:  # deleted with its attempts: there is nothing left to send or record
        return Outcome(Kind.PERMANENT, None, "the mailing was deleted")
    link, headers = messages.links.for_client(item.client_id, item.mailing_id)
    tracking = messages.tracking_for(item.id, item.mailing_id, message)
    try:
        rendered = message.render(
            email=item.email, full_name=item.full_name, headers=headers.items(), link=link, tracking=tracking
        )
    except RenderError as exc:
        return Outcome(Kind.PERMANENT, None, f"the message could not be built: {exc}")
    return Built(messages.envelope_from(item, message), rendered, Signing(rendered.data) if dkim_enabled() else None)


def _report_lost(count: int, what: str, counts: Counter) -> None:
    counts["lost"] += count
    logger.warning(
        "%d result(s) %s: their lease ran out and another dispatcher claimed them again (or they were withdrawn)",
        count,
        what,
    )


def _record_bounces(bounced: list[Result], by_id: dict[int, Claimed]) -> None:
    for result in bounced:
        item = by_id[result.id]
        record_unknown_recipient(
            client_id=item.client_id, mailing_id=item.mailing_id, run_at=item.run_at, reply=result.server_response
        )


def _refresh_runs(claimed: list[Claimed]) -> None:
    mailings = list(Mailing.objects.filter(pk__in={c.mailing_id for c in claimed}))
    alive = {mailing.pk for mailing in mailings}
    mark_runs_stale({(c.mailing_id, c.run_at) for c in claimed if c.mailing_id in alive})
    for mailing in mailings:
        refresh_status(mailing)


@lru_cache(maxsize=4)
def _update_sql(vendor: str, placeholder: str = "%s") -> str:
    """The fenced UPDATE of one attempt's result: RESULT_FIELDS, then the id, `sending` and the claim.
    `placeholder` may be "$" for PostgreSQL's numbered parameters."""
    quote = connection.ops.quote_name
    names = [quote(Attempt._meta.get_field(name).column) for name in RESULT_FIELDS] + [
        "id",
        quote("status"),
        quote("claim"),
    ]
    marks = [f"${n}" for n in range(1, len(names) + 1)] if placeholder == "$" else ["%s"] * len(names)
    sets = ", ".join(f"{name} = {mark}" for name, mark in zip(names[: len(RESULT_FIELDS)], marks, strict=False))
    where = " AND ".join(
        f"{name} = {mark}" for name, mark in zip(names[len(RESULT_FIELDS) :], marks[len(RESULT_FIELDS) :], strict=True)
    )
    return f"UPDATE {quote(Attempt._meta.db_table)} SET {sets} WHERE {where}"  # noqa: S608 - names from the model


def _row(result: Result, claim: uuid.UUID) -> list:
    """The UPDATE's parameters for `result`: RESULT_FIELDS, then the id, `sending` and the claim."""
    return [*(getattr(result, name) for name in RESULT_FIELDS), result.id, AttemptStatus.SENDING.value, claim]


# The connections set up for writing results (see `_send_update`): their commits do not wait
# for the server's disk, and the UPDATE is prepared once (parsed and planned once per connection).
_PREPARED: "weakref.WeakSet" = weakref.WeakSet()
_RESULT_STATEMENT = "mail_service_store_result"


def _send_update(result: Result, claim: uuid.UUID):
    """Send the result's UPDATE on PostgreSQL without waiting for its answer;
    returns the connection that will answer it (see `_read_update`), or None
    when it could not be sent.

    The dispatcher's connection commits without waiting for the server's disk
    (`synchronous_commit` off: one commit per message would otherwise wait for
    an fsync each). A lost connection or a killed dispatcher loses nothing
    committed; only a crash of the PostgreSQL server itself can forget the
    last moments of results (three times `wal_writer_delay`, 0.6 s by default),
    whose messages would then be sent again."""
    import psycopg
    from psycopg import generators

    try:
        raw = connection.connection or (connection.ensure_connection() or connection.connection)
        if raw not in _PREPARED:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")
                cursor.execute(f"PREPARE {_RESULT_STATEMENT} AS {_update_sql(connection.vendor, '$')}")
            _PREPARED.add(raw)
        params = [
            None if v is None else (v.isoformat() if isinstance(v, datetime) else str(v)).encode()
            for v in _row(result, claim)
        ]
        raw.pgconn.send_query_prepared(_RESULT_STATEMENT.encode(), params)
        if raw.pgconn.flush():  # not all of it went out at once
            raw.wait(generators.send(raw.pgconn))
    except (psycopg.Error, DatabaseError):
        connection.close()
        return None
    return raw


def _read_update(raw) -> int | None:
    """The rows the UPDATE sent on `raw` changed, or None if the connection
    failed before it answered."""
    import psycopg
    from psycopg import generators, pq

    try:
        results = raw.wait(generators.fetch_many(raw.pgconn))
    except psycopg.Error:
        return None
    if len(results) != 1 or results[0].status != pq.ExecStatus.COMMAND_OK:
        return None
    return int(results[0].command_tuples or 0)


def _store_results(results, *, claim: uuid.UUID) -> set[int]:
    """One UPDATE per result (several are sent as one executemany, pipelined by
    psycopg), each only where this claim still holds the row. Returns the ids
    of the results not written: their rows were claimed again by another
    dispatcher.

    `bulk_update` would say the same with one CASE per field and row, but
    compiling that expression costs more than the sending itself: measured at
    six tenths of a dispatcher's time on a 500-attempt batch."""
    adapt = connection.ops.adapt_datetimefield_value
    token = Attempt._meta.get_field("claim").get_db_prep_value(claim, connection)
    rows = [[adapt(v) if isinstance(v, datetime) else v for v in _row(result, token)] for result in results]
    if len(rows) == 1:  # one statement: it commits on its own
        with connection.cursor() as cursor:
            cursor.execute(_update_sql(connection.vendor), rows[0])
            written = cursor.rowcount
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(_update_sql(connection.vendor), rows)
            written = cursor.rowcount
    return set() if written == len(rows) else _not_written(results, claim)


def _not_written(results, claim: uuid.UUID) -> set[int]:
    """Rows we wrote keep our token and left `sending`; rows claimed again carry another's."""
    ids = [result.id for result in results]
    return set(ids) - set(
        Attempt.objects.filter(id__in=ids, claim=claim)
        .exclude(status=AttemptStatus.SENDING)
        .values_list("id", flat=True)
    )
