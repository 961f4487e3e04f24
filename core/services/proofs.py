"""A test of a message, sent to the person who asks for it before a mailing goes out.

The message is built exactly as the dispatcher builds it for the chosen client
(or a sample one) — the owner's name in front of our address, the owner's
Reply-To, plain text or Markdown's two parts, DKIM when configured — with
"[Test]" before its subject, and goes to the asker's own address or one of
their confirmed test addresses (core/services/proof_addresses.py), never the
client's. Its unsubscribe line names no working link (a click must not
unsubscribe the client), and it carries no List-Unsubscribe header.

It leaves through the outbox (core/outbox.py), not the dispatcher: written in
the request's transaction and sent right after it by a background thread with
the outbox's short timeouts, retried by cron — so a hanging mail server never
holds the request, and the test is never an Attempt, never in a run, never in
a report. At most TEST_SENDS_PER_HOUR tests an hour go out for one asker, to
whichever of their addresses, counted from the outbox rows themselves (every
process sees the same count)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from core.dispatch.rendering import RenderError
from core.dispatch.sending import reader, run_message
from core.dkim import dkim_enabled, dkim_sign
from core.models import Client, Message, OutboxEmail, User
from core.outbox import enqueue
from core.services.proof_addresses import test_recipients

KIND = "message_test"
WINDOW = timedelta(hours=1)
SUBJECT_PREFIX = "[Test] "


class SendTestRefused(Exception):
    """Not sent; `message` says why, `retry_after` (seconds) when it may be tried again."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, message: str, retry_after: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        self.field = field  # the input it is about, when one is


@dataclass(frozen=True)
class TestSent:
    __test__ = False

    recipient: str  # where it went: the asker's address or a test address of theirs
    subject: str
    email: str  # the client it was rendered for (or the sample's)
    full_name: str


def send_test(
    *,
    message: Message,
    to: User,
    client: Client | None = None,
    recipient: str | None = None,
    now: datetime | None = None,
) -> TestSent:
    """Queue a test of `message`, rendered for `client` (None: a sample client),
    to `recipient`: `to`'s own address (the default) or one of `to`'s confirmed
    test addresses. Raises SendTestRefused for any other address (field
    "recipient"), past the hourly limit or when the message cannot be built
    (with the reason)."""
    now = now or timezone.now()
    owner = message.owner
    with transaction.atomic():
        # One asker's tests are counted one after another (two tabs cannot both take the last one).
        User.objects.select_for_update().filter(pk=to.pk).exists()
        address = _recipient(to, recipient)
        # Tests queued before they were counted by asker were counted by address.
        asked = Q(requested_by=to) | Q(requested_by__isnull=True, recipient=to.email)
        sent = OutboxEmail.objects.filter(asked, kind=KIND, created_at__gt=now - WINDOW)
        limit = settings.TEST_SENDS_PER_HOUR
        if sent.count() >= limit:
            oldest = sent.order_by("created_at").values_list("created_at", flat=True)[0]
            wait = max(1, int((oldest + WINDOW - now).total_seconds()) + 1)
            minutes = -(-wait // 60)
            raise SendTestRefused(
                ngettext(
                    "You have sent %(limit)d tests in the last hour; the next one can go in %(minutes)d minute.",
                    "You have sent %(limit)d tests in the last hour; the next one can go in %(minutes)d minutes.",
                    minutes,
                )
                % {"limit": limit, "minutes": minutes},
                retry_after=wait,
            )
        email, full_name = reader(owner, client)
        with translation.override(owner.language):
            link = gettext("(their own link)")
        try:
            built = run_message(
                subject=SUBJECT_PREFIX + message.subject,
                body=message.body,
                body_format=message.format,
                sender_name=owner.full_name,
                reply_to=owner.reply_to,
                language=owner.language,
            ).render(
                email=email,
                full_name=full_name,
                link=link,
                deliver_to=(to.full_name if address == to.email else "", address),
            )
        except RenderError as exc:
            reason = gettext("This message cannot be sent as it is: %(reason)s.") % {"reason": exc}
            raise SendTestRefused(reason) from None
        data = dkim_sign(built.data) if dkim_enabled() else built.data
        enqueue(
            kind=KIND,
            recipient=address,
            subject=built.subject,
            body=built.body,
            html=built.html,
            mime=data,
            requested_by=to,
        )
    return TestSent(recipient=address, subject=built.subject, email=email, full_name=full_name)


def _recipient(to: User, recipient: str | None) -> str:
    if not recipient:
        return to.email
    for address in test_recipients(to):
        if address.lower() == recipient.strip().lower():
            return address
    raise SendTestRefused(
        gettext("Tests go only to your own address or to a test address you have confirmed."), field="recipient"
    )
