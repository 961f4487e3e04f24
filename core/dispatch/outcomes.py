"""What an SMTP reply or error means for an attempt.

2xx → success. 5xx for this recipient → failure at once. 4xx (including 421
"closing", 451/454 throttling), timeouts, dropped connections and replies that
are not SMTP → transient: the attempt is retried with back-off. A fault of the
whole server (cannot connect, authentication refused) is a `ServerFault`: it
stops the run and leaves the attempts pending, never failed.
"""

import smtplib
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    SUCCESS = "success"
    TRANSIENT = "transient"
    PERMANENT = "permanent"
    SKIPPED = "skipped"  # never sent: the client unsubscribed or the address is suppressed


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: Kind
    code: int | None
    text: str
    # The connection cannot be used any more (dropped, timed out, garbage, 421).
    broken: bool = False

    @property
    def response(self) -> str:
        return f"{self.code} {self.text}".strip() if self.code is not None else self.text


class ServerFault(Exception):
    """The mail server as a whole cannot take mail now; stop sending in this run."""

    def __init__(self, reason: str, code: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:1000]


def from_reply(code: int, raw: bytes | str, *, stage: str = "") -> Outcome:
    text = _text(raw)
    if stage:
        text = f"{text} (at {stage})" if text else f"(at {stage})"
    if 200 <= code < 300:
        return Outcome(Kind.SUCCESS, code, text)
    if code == 421:
        return Outcome(Kind.TRANSIENT, code, text, broken=True)
    if 400 <= code < 500:
        return Outcome(Kind.TRANSIENT, code, text)
    if 500 <= code < 600:
        return Outcome(Kind.PERMANENT, code, text)
    return Outcome(Kind.TRANSIENT, None, f"unreadable reply from the mail server: {text!r}", broken=True)


def from_error(exc: BaseException, *, stage: str = "") -> Outcome:
    """A transient outcome for an exception raised while talking to the server."""
    where = f" (at {stage})" if stage else ""
    if isinstance(exc, smtplib.SMTPResponseException):
        # Raised by smtplib itself for replies it cannot read (e.g. an over-long line).
        text = f"unreadable reply from the mail server: {_text(exc.smtp_error)}{where}"
        return Outcome(Kind.TRANSIENT, None, text, broken=True)
    if isinstance(exc, TimeoutError):
        return Outcome(Kind.TRANSIENT, None, f"the mail server did not answer in time{where}", broken=True)
    message = str(exc) or exc.__class__.__name__
    if "timed out" in message:
        return Outcome(Kind.TRANSIENT, None, f"the mail server did not answer in time{where}", broken=True)
    return Outcome(Kind.TRANSIENT, None, f"connection to the mail server lost: {message}{where}", broken=True)
