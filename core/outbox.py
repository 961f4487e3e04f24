"""The outbox: emails the site itself sends (account emails), never sent
inside a web request.

`enqueue` writes the email as an `OutboxEmail` row in the caller's
transaction, so a change that rolls back sends nothing. Once that transaction
commits, a background thread sends it at once (at most
OUTBOX_SENDER_THREADS per process, so a hanging mail server ties up a few
threads, never the web workers); whatever it could not send, the cron job
(`core.cron.OutboxJob`, `send_due`) retries with back-off until it is sent or
given up, the reason kept on the row. Both claim a row with a conditional
UPDATE (pending → sending, with a lease) before sending, so an email goes out
once even when the thread and cron meet; a process killed mid-send leaves its
row to come back when the lease ends.

The SMTP path is the dispatcher's (`SmtpTransport`: the same reply
classification), with the outbox's own shorter timeouts.
"""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import OperationalError, connections, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from core.dispatch.config import DispatchConfig
from core.dispatch.outcomes import Kind, Outcome, ServerFault
from core.dispatch.rendering import Rendered
from core.dispatch.transport import SMTP_BACKEND, SmtpTransport
from core.models import OutboxEmail, OutboxStatus

log = logging.getLogger(__name__)

# Longer than one email can take with the outbox's timeouts (connect, then a
# read per SMTP step); a row claimed longer ago belongs to a process that died.
LEASE = timedelta(minutes=5)
# What one cron pass tries at most; the rest waits for the next minute.
BATCH_SIZE = 100
OPEN = (OutboxStatus.PENDING, OutboxStatus.SENDING)


def enqueue(
    *, kind: str, recipient: str, subject: str, body: str, html: str = "", mime: bytes = b"", requested_by=None
) -> OutboxEmail:
    """Write an email to the outbox in the current transaction; it is sent
    after the transaction commits (nothing is sent if it rolls back). `mime`:
    the whole message, already built (7-bit, CRLF), sent as it is.
    `requested_by`: the user whose action sent it, when one did."""
    email = OutboxEmail.objects.create(
        kind=kind,
        recipient=recipient,
        subject=subject,
        body=body,
        html=html,
        mime=mime.decode("ascii"),
        requested_by=requested_by,
    )
    transaction.on_commit(lambda: send_soon(email.pk), robust=True)
    return email


def enqueue_from_templates(*, kind: str, recipient: str, context: dict, requested_by=None) -> OutboxEmail:
    """`enqueue` the email `templates/emails/<kind>`: its subject (`<kind>_subject.txt`, one
    line), text (`<kind>.txt`) and HTML (`<kind>.html`) parts, rendered with `context` in the
    active language."""
    return enqueue(
        kind=kind,
        recipient=recipient,
        subject=" ".join(render_to_string(f"emails/{kind}_subject.txt", context).split()),
        body=render_to_string(f"emails/{kind}.txt", context),
        html=render_to_string(f"emails/{kind}.html", context),
        requested_by=requested_by,
    )


# Sending ----------------------------------------------------------------------


def sending_config() -> DispatchConfig:
    """The dispatcher's settings with the outbox's timeouts, tries and back-off."""
    return DispatchConfig.from_settings(
        connect_timeout=settings.OUTBOX_CONNECT_TIMEOUT,
        read_timeout=settings.OUTBOX_READ_TIMEOUT,
        max_tries=settings.OUTBOX_MAX_TRIES,
        backoff_seconds=settings.OUTBOX_BACKOFF_SECONDS,
        rate_limit=0,
    )


class _Prebuilt(EmailMultiAlternatives):
    """An outbox email whose sender built the whole message: given as it is."""

    def __init__(self, email: OutboxEmail):
        super().__init__(subject=email.subject, body=email.body, from_email=settings.DEFAULT_FROM_EMAIL)
        self.to = [email.recipient]
        self.mime = email.mime.encode("ascii")

    def message(self, *, policy=None):
        return message_from_bytes(self.mime, policy=email_policy.SMTP)


def _message(email: OutboxEmail) -> EmailMultiAlternatives:
    if email.mime:
        return _Prebuilt(email)
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body, from_email=settings.DEFAULT_FROM_EMAIL, to=[email.recipient]
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    return message


class _DjangoBackend:
    """The configured non-SMTP backend (console, file, locmem): development and tests."""

    def open(self) -> None:
        self.connection = get_connection(fail_silently=False)

    def send(self, email: OutboxEmail) -> Outcome:
        try:
            self.connection.send_messages([_message(email)])
        except Exception as exc:  # a custom backend may raise anything; the row keeps it
            return Outcome(Kind.TRANSIENT, None, f"the mail backend failed: {exc}")
        return Outcome(Kind.SUCCESS, None, "accepted by the mail backend")

    def close(self) -> None:
        self.connection.close()


class _Smtp:
    """The dispatcher's SMTP transport, fed the whole MIME message."""

    def __init__(self, config: DispatchConfig):
        self.transport = SmtpTransport.from_settings(config)
        self.envelope_from = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]

    def open(self) -> None:
        self.transport.open()

    def send(self, email: OutboxEmail) -> Outcome:
        mime = _message(email).message()
        data = email.mime.encode("ascii") if email.mime else mime.as_bytes(linesep="\r\n")
        rendered = Rendered(
            recipient=email.recipient,
            name="",
            subject=email.subject,
            body=email.body,
            message_id=mime["Message-ID"],
            data=data if data.endswith(b"\r\n") else data + b"\r\n",
        )
        return self.transport.send(self.envelope_from, rendered)

    def close(self) -> None:
        self.transport.close()


def _sender(config: DispatchConfig):
    return _Smtp(config) if settings.EMAIL_BACKEND == SMTP_BACKEND else _DjangoBackend()


def _claim(pk: int, now: datetime) -> datetime | None:
    """Take the row if it is due or its holder's lease ended; the new lease
    is the claim's token (None: someone else has it, or it is done)."""
    lease_until = now + LEASE
    due = Q(status=OutboxStatus.PENDING, next_try_at__lte=now) | Q(status=OutboxStatus.SENDING, lease_until__lte=now)
    claimed = OutboxEmail.objects.filter(due, pk=pk).update(status=OutboxStatus.SENDING, lease_until=lease_until)
    return lease_until if claimed else None


def _record(email: OutboxEmail, lease_until: datetime, outcome: Outcome, config: DispatchConfig) -> str:
    now = timezone.now()
    tries = email.tries + 1
    values = {"tries": tries, "last_tried_at": now, "lease_until": None, "reason": outcome.response}
    if outcome.kind is Kind.SUCCESS:
        values.update(status=OutboxStatus.SENT, sent_at=now)
    elif outcome.kind is Kind.PERMANENT:
        values.update(status=OutboxStatus.FAILED)
    elif tries >= config.max_tries:
        values.update(status=OutboxStatus.FAILED, reason=f"gave up after {tries} tries: {outcome.response}")
    else:
        values.update(status=OutboxStatus.PENDING, next_try_at=now + config.backoff(tries))
    # Fenced by the claim: a holder whose lease ran out and was taken over writes nothing.
    OutboxEmail.objects.filter(pk=email.pk, status=OutboxStatus.SENDING, lease_until=lease_until).update(**values)
    return values["status"]


@dataclass
class Pass:
    """What one pass over the outbox did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    fault: str = ""

    def summary(self) -> str:
        text = f"outbox: {self.sent} sent, {self.retrying} to retry, {self.failed} given up"
        return f"{text}; stopped: {self.fault}" if self.fault else text


def send_emails(pks, *, config: DispatchConfig | None = None, deadline: float | None = None) -> Pass:
    """Claim and send these outbox emails over one connection, in order. A
    server that cannot be used stops the pass: the email that found it so
    counts a try, the rest wait untouched."""
    config = config or sending_config()
    result = Pass()
    sender = _sender(config)
    opened = False
    try:
        for pk in pks:
            if deadline is not None and time.monotonic() > deadline:
                break
            lease_until = _claim(pk, timezone.now())
            if lease_until is None:
                continue
            email = OutboxEmail.objects.get(pk=pk)
            try:
                if not opened:
                    sender.open()
                    opened = True
                outcome = sender.send(email)
            except ServerFault as fault:
                _record(email, lease_until, Outcome(Kind.TRANSIENT, fault.code, fault.reason), config)
                result.fault = fault.reason
                break
            status = _record(email, lease_until, outcome, config)
            if status == OutboxStatus.SENT:
                result.sent += 1
            elif status == OutboxStatus.FAILED:
                result.failed += 1
            else:
                result.retrying += 1
    finally:
        if opened:
            sender.close()
    return result


def due_ids(now: datetime | None = None, limit: int = BATCH_SIZE) -> list[int]:
    now = now or timezone.now()
    due = Q(status=OutboxStatus.PENDING, next_try_at__lte=now) | Q(status=OutboxStatus.SENDING, lease_until__lte=now)
    return list(OutboxEmail.objects.filter(due).order_by("next_try_at", "id").values_list("id", flat=True)[:limit])


def send_due(*, deadline: float | None = None) -> Pass:
    """Send what is due (the cron job): new emails no thread took, retries whose time came."""
    return send_emails(due_ids(), deadline=deadline)


# After commit -----------------------------------------------------------------

_senders: threading.BoundedSemaphore | None = None
_senders_lock = threading.Lock()


def _sender_slots() -> threading.BoundedSemaphore | None:
    global _senders
    with _senders_lock:
        if settings.OUTBOX_SENDER_THREADS <= 0:  # read each time: no threads means none, also later on
            return None
        if _senders is None:
            _senders = threading.BoundedSemaphore(settings.OUTBOX_SENDER_THREADS)
        return _senders


def send_soon(pk: int) -> None:
    """Send one email from a background thread, so the response never waits
    on the mail server. With every sender thread busy (a server that hangs)
    the email is left to the cron job."""
    slots = _sender_slots()
    if slots is None or not slots.acquire(blocking=False):
        return
    threading.Thread(target=_send_in_background, args=(pk, slots), name=f"outbox-{pk}", daemon=True).start()


# A database busy with another writer (SQLite refuses at once a table another
# transaction writes) is tried again a moment later. The claim comes before any
# sending, so a pass tried again sends nothing twice.
BUSY_TRIES = 5


def _send_in_background(pk: int, slots: threading.BoundedSemaphore) -> None:
    try:
        for attempt in range(1, BUSY_TRIES + 1):
            try:
                send_emails([pk])
                break
            except OperationalError:
                if attempt == BUSY_TRIES:
                    raise
                connections.close_all()
                time.sleep(0.1 * attempt)
    except Exception:  # the thread has nobody to tell; cron tries the row again
        log.exception("Could not send outbox email %s", pk)
    finally:
        connections.close_all()
        slots.release()


# Operators ----------------------------------------------------------------------

# A pending email that has waited this long is stuck (the server is down, or cron is not running).
STUCK_AFTER = timedelta(minutes=5)
# Given-up emails are reported to staff for this long; `manage.py outbox` lists them all.
FAILED_SHOWN_FOR = timedelta(days=1)


@dataclass(frozen=True)
class Trouble:
    """What staff are told: emails stuck or given up, and the latest reason."""

    stuck: int
    failed: int
    reason: str


def trouble(now: datetime | None = None) -> Trouble | None:
    """Emails staff should hear about (stuck ones, ones given up recently), or None."""
    now = now or timezone.now()
    stuck = Q(status__in=OPEN, created_at__lte=now - STUCK_AFTER)
    failed = Q(status=OutboxStatus.FAILED, last_tried_at__gte=now - FAILED_SHOWN_FOR)
    emails = OutboxEmail.objects.filter(stuck | failed)
    counts = emails.aggregate(stuck=Count("id", filter=stuck), failed=Count("id", filter=failed))
    if not counts["stuck"] and not counts["failed"]:
        return None
    reason = emails.exclude(reason="").order_by("-last_tried_at").values_list("reason", flat=True).first()
    return Trouble(stuck=counts["stuck"], failed=counts["failed"], reason=reason or "")


def retry(pks=None) -> int:
    """Queue given-up (and waiting) emails for the next cron pass at once,
    with a fresh count of tries. Without ids: every given-up or pending one."""
    emails = OutboxEmail.objects.filter(status__in=(OutboxStatus.FAILED, OutboxStatus.PENDING))
    if pks:
        emails = emails.filter(pk__in=pks)
    return emails.update(status=OutboxStatus.PENDING, tries=0, next_try_at=timezone.now())
