"""Reading a delivery-status notification (RFC 3464) and the VERP token it
was sent back to.

The failure's fields (Action, Status, Diagnostic-Code) come from the report's
`message/delivery-status` part; a bounce without one (older mail systems
write only prose) is recognised by flufl.bounce's detectors, which find the
addresses that failed for good. The token is looked for where the bounce was
addressed — To, Delivered-To, X-Original-To — then in the report itself and
in the returned message's headers (our envelope sender in Return-Path).
"""

import email
import email.message
import re
from dataclasses import dataclass, field

from flufl.bounce import all_failures

from core.dispatch.verp import BounceSenders, read_token
from core.services.bounces import Bounce

_ADDRESSED_TO = ("To", "Delivered-To", "X-Original-To", "Envelope-To")
_STATUS = re.compile(r"[245]\.\d{1,3}\.\d{1,3}")
UNKNOWN_FAILURE = "5.0.0"  # a permanent failure whose report gives no code


@dataclass
class Report:
    """What a message in the bounce mailbox says. `attempt_id` is None when no
    token of ours was found (or none that our key signed: `forged`)."""

    attempt_id: int | None = None
    forged: bool = False
    is_report: bool = False  # a delivery-status notification, or a bounce flufl.bounce recognises
    failed: list[Bounce] = field(default_factory=list)


def _unfolded(value: str | None) -> str:
    return " ".join(str(value or "").split())


def _status_parts(message: email.message.Message) -> list[email.message.Message]:
    return [part for part in message.walk() if part.get_content_type() == "message/delivery-status"]


def _returned_headers(message: email.message.Message) -> str:
    texts = []
    for part in message.walk():
        if part.get_content_type() == "text/rfc822-headers":
            payload = part.get_payload(decode=True) or b""
            texts.append(payload.decode("utf-8", "replace"))
        elif part.get_content_type() == "message/rfc822" and part.is_multipart():
            texts.extend(f"{name}: {value}" for name, value in part.get_payload(0).items())
    return "\n".join(texts)


def _token_places(message: email.message.Message, status_parts) -> list[str]:
    places = [value for name in _ADDRESSED_TO for value in message.get_all(name, [])]
    for part in status_parts:
        places.extend(f"{name}: {value}" for block in part.get_payload() for name, value in block.items())
    places.append(_returned_headers(message))
    return places


def _failures(status_parts) -> list[Bounce]:
    failed = []
    for part in status_parts:
        for block in part.get_payload()[1:]:  # the first block is about the message, the rest per recipient
            if _unfolded(block.get("Action")).lower() != "failed":
                continue
            status = _unfolded(block.get("Status"))
            diagnostic = _unfolded(block.get("Diagnostic-Code"))
            kind, semicolon, text = diagnostic.partition(";")  # "smtp; 550 5.1.1 …"
            if semicolon and kind.strip().lower() in {"smtp", "x-unix", "x-postfix"}:
                diagnostic = text.strip()
            status = status if _STATUS.fullmatch(status) and status.startswith("5.") else UNKNOWN_FAILURE
            failed.append(Bounce(status=status, diagnostic=diagnostic))
    return failed


def read_report(raw: bytes, senders: BounceSenders) -> Report:
    message = email.message_from_bytes(raw)
    status_parts = _status_parts(message)
    report = Report()
    tokens = [token for place in _token_places(message, status_parts) for token in senders.find(place)]
    for token in tokens:
        report.attempt_id = read_token(token)
        if report.attempt_id is not None:
            break
    report.forged = bool(tokens) and report.attempt_id is None
    if status_parts:
        report.is_report = True
        report.failed = _failures(status_parts)
    else:
        _temporary, permanent = all_failures(message)
        report.is_report = bool(_temporary or permanent)
        report.failed = [Bounce(status=UNKNOWN_FAILURE, diagnostic="") for _ in sorted(permanent)[:1]]
    return report
