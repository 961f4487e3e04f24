"""Helpers for tests that read the emails the service sent (locmem backend)."""

import re

from django.core import mail

LINK = re.compile(r"https?://\S+")


def sent_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def html_part(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def link_in(message, path_part: str) -> str:
    """The link in the plain-text part whose path contains `path_part`."""
    return next(link for link in LINK.findall(message.body) if path_part in link)
