"""Helpers for tests that read the emails the service sent (locmem backend).

Account emails go through the outbox (core/outbox.py), which sends them after
the request's transaction commits; a test's transaction never commits, so
`sent()` sends what the outbox holds, as its cron job would, and returns
everything sent so far.
"""

import re
import time

from django.core import mail

from core import outbox
from core.models import OutboxEmail, OutboxStatus

LINK = re.compile(r"https?://\S+")


def sent() -> list:
    """Every email sent so far (`django.core.mail.outbox`), once the outbox
    has been drained: due emails sent now, those a background sender holds
    waited for."""
    deadline = time.monotonic() + 10
    outbox.send_due()
    while OutboxEmail.objects.filter(status=OutboxStatus.SENDING).exists():
        assert time.monotonic() < deadline, "an outbox email stayed claimed"
        time.sleep(0.01)
        outbox.send_due()
    return mail.outbox


def sent_to(address: str) -> list:
    return [message for message in sent() if address in message.to]


def html_part(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def link_in(message, path_part: str) -> str:
    """The link in the plain-text part whose path contains `path_part`."""
    return next(link for link in LINK.findall(message.body) if path_part in link)
