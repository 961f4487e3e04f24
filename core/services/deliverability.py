"""Unsubscribe and suppression: the client's own choice and dead addresses.

Every mailing message carries a signed per-client link. The token is the only
key: it names the client (and the mailing it came from) and cannot be forged
or reused for anything else.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.cache import owners_changed
from core.mail_links import link_maker
from core.models import Client, ClientEvent, ClientEventKind, Mailing, UnsubscribeMethod
from core.services.stats import run_day

_SALT = "mail_service.unsubscribe"


@lru_cache(maxsize=4)
def _signer(secret_key: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(key=secret_key, salt=_SALT)


def unsubscribe_token(client_id: int, mailing_id: int | None) -> str:
    """What `signing.dumps([client_id, mailing_id], salt=…)` makes, with the signer
    made once per key rather than once per recipient. (Links sent earlier were
    made with `compress=True`, which never shortens two numbers: the same tokens.)"""
    return _signer(settings.SECRET_KEY).sign_object([client_id, mailing_id])


@dataclass(frozen=True)
class UnsubscribeTarget:
    client: Client
    mailing_id: int | None


def read_unsubscribe_token(token: str) -> UnsubscribeTarget | None:
    """The client a token names, or None for a tampered, foreign or stale token."""
    try:
        client_id, mailing_id = signing.loads(token, salt=_SALT)
        client = Client.objects.select_related("owner").get(pk=int(client_id))
    except (signing.BadSignature, ValueError, TypeError, Client.DoesNotExist):
        return None
    mailing_id = mailing_id if isinstance(mailing_id, int) else None
    return UnsubscribeTarget(client=client, mailing_id=mailing_id)


class UnsubscribeLinks:
    """Each recipient's unsubscribe link and headers. The link's URL is
    reversed once (the same for every token: a dispatcher makes one of these
    and uses it for every message); only the token is per recipient."""

    def __init__(self):
        self.url = link_maker("unsubscribe")

    def for_client(self, client_id: int, mailing_id: int | None) -> tuple[str, dict[str, str]]:
        """The client's link, and the headers carrying it."""
        token = unsubscribe_token(client_id, mailing_id)
        url = self.url(token)
        return url, list_unsubscribe_headers(token, url)


def unsubscribe_url(token: str) -> str:
    return UnsubscribeLinks().url(token)


def list_unsubscribe_headers(token: str, url: str | None = None) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: the link (`url`, made from the token when not
    given), which accepts a one-click POST, plus a mailto: form when an
    unsubscribe mailbox is configured. RFC 8058 allows the one-click promise
    only for an HTTPS link."""
    url = url or unsubscribe_url(token)
    targets = [f"<{url}>"]
    if settings.UNSUBSCRIBE_MAILTO:
        targets.append(f"<mailto:{settings.UNSUBSCRIBE_MAILTO}?subject=unsubscribe%20{token}>")
    headers = {"List-Unsubscribe": ", ".join(targets)}
    if url.startswith("https://"):
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def client_unsubscribe(*, target: UnsubscribeTarget, method: str = UnsubscribeMethod.LINK) -> bool:
    """Mark the client unsubscribed, at once and idempotently. Returns whether
    this call changed anything."""
    now = timezone.now()
    with transaction.atomic():
        changed = Client.objects.filter(pk=target.client.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=now, unsubscribe_method=method
        )
        if changed:
            ClientEvent.objects.create(
                client=target.client,
                mailing_id=_existing_mailing(target),
                kind=ClientEventKind.UNSUBSCRIBED,
                at=now,
                detail=method,
            )
            owners_changed([target.client.owner_id])
    return bool(changed)


def client_resubscribe(*, target: UnsubscribeTarget) -> bool:
    """The client changed their mind (only the client can, through their link)."""
    now = timezone.now()
    with transaction.atomic():
        changed = Client.objects.filter(pk=target.client.pk, unsubscribed_at__isnull=False).update(
            unsubscribed_at=None, unsubscribe_method=""
        )
        if changed:
            ClientEvent.objects.create(
                client=target.client, mailing_id=_existing_mailing(target), kind=ClientEventKind.RESUBSCRIBED, at=now
            )
            owners_changed([target.client.owner_id])
    return bool(changed)


def _existing_mailing(target: UnsubscribeTarget) -> int | None:
    if target.mailing_id is None:
        return None
    exists = Mailing.objects.filter(pk=target.mailing_id, owner_id=target.client.owner_id).exists()
    return target.mailing_id if exists else None


def record_unknown_recipient(*, client_id: int, mailing_id: int, run_at: datetime, reply: str) -> bool:
    """Count a "no such user" reply to the run at `run_at`; at
    SUPPRESS_AFTER_HARD_BOUNCES the address is suppressed for its owner, and
    reports count the suppression on that run's day, beside its failure.
    Returns whether it became suppressed now."""
    now = timezone.now()
    with transaction.atomic():
        Client.objects.filter(pk=client_id).update(hard_bounces=F("hard_bounces") + 1)
        owners_changed(Client.objects.filter(pk=client_id).values_list("owner_id", flat=True))
        suppressed = Client.objects.filter(
            pk=client_id, suppressed_at__isnull=True, hard_bounces__gte=settings.SUPPRESS_AFTER_HARD_BOUNCES
        ).update(suppressed_at=now, suppression_reason=reply[:1000])
        if suppressed:
            ClientEvent.objects.create(
                client_id=client_id,
                mailing_id=mailing_id,
                kind=ClientEventKind.SUPPRESSED,
                at=now,
                day=run_day(mailing_id, run_at),
                detail=reply[:1000],
            )
    return bool(suppressed)
