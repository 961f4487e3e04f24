"""What an SMTP reply or error means for an attempt, by the step it answered.

2xx → success. 4xx (including 421 "closing", 451/454 throttling), timeouts,
dropped connections and replies that are not SMTP → transient: the attempt is
retried with back-off. 5xx for this recipient (at RCPT TO, DATA or the end of
data) → failure at once; only a "no such mailbox" code there is a hard bounce
that counts towards suppressing the address. A refusal of our sending — of the
greeting, EHLO, login, `MAIL FROM`, or a 5.7.x policy refusal of the sender at
any step — is a fault of the whole server (`ServerFault`): it stops the run and
leaves the attempts pending, never failed, and suppresses nobody.
"""

import smtplib
from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    GREETING = "greeting"
    EHLO = "EHLO"
    STARTTLS = "STARTTLS"
    AUTH = "AUTH"
    MAIL = "MAIL FROM"
    RCPT = "RCPT TO"
    DATA = "DATA"
    END_OF_DATA = "end of data"


class Kind(StrEnum):
    SUCCESS = "success"
    TRANSIENT = "transient"
    PERMANENT = "permanent"
    SKIPPED = "skipped"  # never sent: the client unsubscribed or the address is suppressed
    SERVER_FAULT = "server fault"  # the server refuses our sending, not this recipient


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: Kind
    code: int | None
    text: str
    # The connection cannot be used any more (dropped, timed out, garbage, 421).
    broken: bool = False
    # A permanent "no such mailbox" for this recipient: counts towards suppression.
    hard_bounce: bool = False

    @property
    def response(self) -> str:
        return f"{self.code} {self.text}".strip() if self.code is not None else self.text


class ServerFault(Exception):
    """The mail server as a whole cannot take mail now; stop sending in this run."""

    def __init__(self, reason: str, code: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.code = code


# Enhanced status codes (RFC 3463) of a mailbox or domain that does not exist.
# Not 5.1.7/5.1.8 (a bad sender address): those are ours.
_NO_SUCH_MAILBOX = frozenset({"5.1.1", "5.1.10", "5.1.2"})
# The 5.7.x codes about the recipient's mailbox or domain (RFC 7293); every
# other 5.7.x refuses our sender, our authentication or our message.
_RECIPIENT_POLICY = frozenset({"5.7.17", "5.7.18", "5.7.19"})
# Steps that refuse the session or our sender, whoever the recipient is.
_OUR_SENDING = frozenset({Stage.GREETING, Stage.EHLO, Stage.STARTTLS, Stage.AUTH, Stage.MAIL})
# Steps that answer for the one recipient of the message (we send one per transaction).
_RECIPIENT_REPLY = frozenset({Stage.RCPT, Stage.END_OF_DATA})


def no_such_mailbox(status: str) -> bool:
    """Whether a permanent reply's enhanced status code says the mailbox does
    not exist: the one rule for a hard bounce, whether the server said so
    while we were sending or a delivery-status notification says so later."""
    return status in _NO_SUCH_MAILBOX


def _text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:1000]


def _enhanced_status(text: str) -> str:
    """The RFC 3463 code at the start of a reply's text ("5.1.1"), or ""."""
    for word in text.split()[:2]:
        if word.count(".") == 2 and word.replace(".", "").isdigit():
            return word
    return ""


def from_reply(code: int, raw: bytes | str, *, stage: str = "") -> Outcome:
    text = _text(raw)
    if 200 <= code < 300:
        return Outcome(Kind.SUCCESS, code, text)
    status = _enhanced_status(text) if 500 <= code < 600 else ""
    if stage:
        text = f"{text} (at {stage})" if text else f"(at {stage})"
    if code == 421:
        return Outcome(Kind.TRANSIENT, code, text, broken=True)
    if 400 <= code < 500:
        return Outcome(Kind.TRANSIENT, code, text)
    if 500 <= code < 600:
        if stage in _OUR_SENDING or (status.startswith("5.7.") and status not in _RECIPIENT_POLICY):
            return Outcome(Kind.SERVER_FAULT, code, text)
        return Outcome(Kind.PERMANENT, code, text, hard_bounce=no_such_mailbox(status) and stage in _RECIPIENT_REPLY)
    return Outcome(Kind.TRANSIENT, None, f"unreadable reply from the mail server: {text!r}", broken=True)


def from_error(exc: BaseException, *, stage: str = "") -> Outcome:
    """A transient outcome for an exception raised while talking to the server."""
    where = f" (at {stage})" if stage else ""
    if isinstance(exc, smtplib.SMTPResponseException):
        # Raised by smtplib itself for replies it cannot read (e.g. an over-long line).
        text = f"unreadable reply from the mail server: {_text(exc.smtp_error)}{where}"
        return Outcome(Kind.TRANSIENT, None, text, broken=True)
    message = str(exc) or exc.__class__.__name__
    timed_out = isinstance(exc, TimeoutError) or "timed out" in message
    if timed_out:
        problem = "the mail server did not answer in time"
    else:
        problem = f"connection to the mail server lost: {message}"
    if stage == Stage.END_OF_DATA:
        # The server had the whole message: it may have delivered it.
        problem = f"reply lost after end of data (the message may have arrived): {problem}"
    return Outcome(Kind.TRANSIENT, None, problem + where, broken=True)
