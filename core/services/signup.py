"""Sign-up to a public list with double opt-in, and subscribers the owner adds.

Someone who signs up on a list's public page (or a copy of its form on the
owner's website, or through the owner's API call with `confirm`) is only sent
an email: nothing is written on the owner's side until they open the signed
link in it and confirm. The link carries what they typed and when they asked;
it works for SIGNUP_CONFIRM_MAX_AGE seconds and confirms once: a client whose
consent is as new as the link's request or newer has used it already. So
signing up again after an unsubscribe takes a new link, and confirming it clears
the unsubscribe — never a suppression, which only dead mail causes.

Sign-up can be asked for anybody's address: at most
SIGNUP_MAILS_PER_ADDRESS_PER_DAY emails a day go to one address (counted from
the outbox rows, so every process sees the same count), and one client address
may ask SIGNUP_REQUESTS_PER_IP_PER_HOUR times an hour (counted in the cache).
Someone already on the list gets an email saying so instead of a link; the
page answers the same either way."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.cache import owners_changed
from core.models import Client, ClientEvent, ClientEventKind, ClientList, ConsentSource, ListMember, OutboxEmail
from core.models.lists import new_signup_token
from core.outbox import enqueue_from_templates

_SALT = "core.signup.confirm"
CONFIRM_EMAIL = "signup_confirm"
ALREADY_EMAIL = "signup_already"
ADDRESS_WINDOW = timedelta(days=1)
IP_WINDOW_SECONDS = 3600
# The sign-up form's field that people never see and bots fill in: a form with it filled in is
# answered as any other and nothing is done.
SIGNUP_HONEYPOT = "website"


class SignupRefused(Exception):
    """Too many sign-ups: nothing was sent; `message` says why, `retry_after` in seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class SignupLinkInvalid(Exception):
    """A confirmation link that does not work: `expired`, or tampered with / of a list gone or closed."""

    def __init__(self, *, expired: bool = False, closed: bool = False):
        super().__init__("expired" if expired else "closed" if closed else "invalid")
        self.expired = expired
        self.closed = closed


@dataclass(frozen=True)
class PendingSignup:
    """What a confirmation link says: who asked to join which list, when and from where."""

    client_list: ClientList
    email: str
    full_name: str
    source: str
    source_url: str
    requested_at: datetime


class Confirmed:
    """What confirming did."""

    CONFIRMED = "confirmed"
    ALREADY = "already"  # the link was used before (or a newer consent exists): nothing changed
    SUPPRESSED = "suppressed"  # on the list now, but mail to the address keeps failing: none is sent


@dataclass(frozen=True)
class Subscribed:
    """A subscriber the owner added at once: the client, and whether mail reaches them."""

    client: Client
    created: bool
    added: bool
    unsubscribed: bool
    suppressed: bool


def signup_page_url(client_list: ClientList) -> str:
    """The address of the list's public sign-up page (it answers only while the list is public)."""
    return settings.SITE_URL + reverse("subscribe", kwargs={"token": client_list.signup_token})


def signup_address_renew(*, client_list: ClientList) -> str:
    """Give the list a new sign-up address: the old page, and forms copied with
    it, stop working. Confirmation links already emailed still do (they name
    the list, not its address). Returns the new token."""
    client_list.signup_token = new_signup_token()
    client_list.save(update_fields=["signup_token", "updated_at"])
    owners_changed([client_list.owner_id])
    return client_list.signup_token


def _count_request_from(ip: str) -> int:
    key = f"signup:ip:{ip}"
    cache.add(key, 0, IP_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, IP_WINDOW_SECONDS)
        return 1


def _check_address_limit(email: str, now: datetime) -> None:
    sent = OutboxEmail.objects.filter(
        kind__in=(CONFIRM_EMAIL, ALREADY_EMAIL), recipient__iexact=email, created_at__gt=now - ADDRESS_WINDOW
    )
    if sent.count() >= settings.SIGNUP_MAILS_PER_ADDRESS_PER_DAY:
        oldest = sent.order_by("created_at").values_list("created_at", flat=True)[0]
        wait = max(1, int((oldest + ADDRESS_WINDOW - now).total_seconds()) + 1)
        raise SignupRefused(
            gettext("This address has been sent enough sign-up emails for today. Please try again tomorrow."),
            retry_after=wait,
        )


def _is_subscribed(client: Client | None, client_list: ClientList) -> bool:
    return (
        client is not None
        and client.unsubscribed_at is None
        and client.suppressed_at is None
        and ListMember.objects.filter(client_list=client_list, client=client).exists()
    )


def signup_request(
    *,
    client_list: ClientList,
    email: str,
    full_name: str,
    source: str,
    source_url: str = "",
    ip: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Someone asks to join `client_list`: email them a confirmation link (or,
    when they are on the list already, a note saying so). Nothing else is
    written. Raises SignupRefused past the limits (per client address `ip`, per
    email address), sending nothing. Returns whether a link was sent."""
    now = now or timezone.now()
    if ip is not None and _count_request_from(ip) > settings.SIGNUP_REQUESTS_PER_IP_PER_HOUR:
        raise SignupRefused(
            gettext("Too many sign-ups from your network. Please try again in an hour."),
            retry_after=IP_WINDOW_SECONDS,
        )
    owner = client_list.owner
    with transaction.atomic():
        # Sign-ups to one list are counted one after another: two at once cannot both take the last email.
        ClientList.objects.select_for_update().filter(pk=client_list.pk).exists()
        _check_address_limit(email, now)
        client = Client.objects.filter(owner=owner, email__iexact=email).first()
        with translation.override(owner.language):
            context = {
                "list_name": client_list.name,
                "sender": owner.get_full_name(),
                "full_name": full_name,
                "site_url": settings.SITE_URL,
            }
            if _is_subscribed(client, client_list):
                enqueue_from_templates(kind=ALREADY_EMAIL, recipient=email, context=context)
                return False
            token = signing.dumps(
                {
                    "l": client_list.pk,
                    "e": email,
                    "n": full_name,
                    "s": source,
                    "u": source_url[:2000],
                    "t": now.isoformat(),
                },
                salt=_SALT,
                compress=True,
            )
            link = settings.SITE_URL + reverse("subscribe-confirm", kwargs={"signed": token})
            days = max(1, settings.SIGNUP_CONFIRM_MAX_AGE // (24 * 3600))
            enqueue_from_templates(kind=CONFIRM_EMAIL, recipient=email, context={**context, "link": link, "days": days})
    return True


def read_signup_link(signed: str) -> PendingSignup:
    """What a confirmation link asks for; SignupLinkInvalid when it is expired,
    tampered with, or its list is gone or no longer takes sign-ups."""
    try:
        data = signing.loads(signed, salt=_SALT, max_age=settings.SIGNUP_CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise SignupLinkInvalid(expired=True) from None
    except signing.BadSignature:
        raise SignupLinkInvalid() from None
    client_list = ClientList.objects.select_related("owner").filter(pk=data["l"]).first()
    if client_list is None or not client_list.is_public:
        raise SignupLinkInvalid(closed=True)
    return PendingSignup(
        client_list=client_list,
        email=data["e"],
        full_name=data["n"],
        source=data["s"],
        source_url=data["u"],
        requested_at=datetime.fromisoformat(data["t"]),
    )


def signup_confirm(*, pending: PendingSignup, ip: str | None, now: datetime | None = None) -> str:
    """The person confirms: their client (the owner's one with this address,
    whatever its case, or a new one) goes on the list with their consent, and an
    unsubscribe of theirs is cleared. A suppression stays. Returns a `Confirmed` value."""
    now = now or timezone.now()
    client_list = pending.client_list
    with transaction.atomic():
        ClientList.objects.select_for_update().filter(pk=client_list.pk).exists()
        client = Client.objects.select_for_update().filter(owner=client_list.owner, email__iexact=pending.email).first()
        if client is not None and client.consent_at is not None and client.consent_at >= pending.requested_at:
            return Confirmed.ALREADY
        if client is None:
            client = Client(owner=client_list.owner, email=pending.email, full_name=pending.full_name)
        resubscribed = client.unsubscribed_at is not None
        client.unsubscribed_at = None
        client.unsubscribe_method = ""
        client.consent_at = now
        client.consent_source = pending.source
        client.consent_url = pending.source_url
        client.consent_ip = ip
        client.save()
        ListMember.objects.get_or_create(client_list=client_list, client=client)
        if resubscribed:
            ClientEvent.objects.create(client=client, kind=ClientEventKind.RESUBSCRIBED, at=now, detail=pending.source)
        owners_changed([client_list.owner_id])
    return Confirmed.SUPPRESSED if client.suppressed_at is not None else Confirmed.CONFIRMED


def list_subscribe(*, client_list: ClientList, email: str, full_name: str, now: datetime | None = None) -> Subscribed:
    """The owner puts someone on the list at once, vouching for their consent
    (source `api`, kept only when the client had none). An unsubscribe stays:
    only the person can take it back, by confirming a sign-up."""
    now = now or timezone.now()
    with transaction.atomic():
        client = Client.objects.select_for_update().filter(owner=client_list.owner, email__iexact=email).first()
        created = client is None
        if created:
            client = Client(owner=client_list.owner, email=email, full_name=full_name)
        if client.consent_at is None:
            client.consent_at = now
            client.consent_source = ConsentSource.API
        client.save()
        _member, added = ListMember.objects.get_or_create(client_list=client_list, client=client)
        owners_changed([client_list.owner_id])
    return Subscribed(
        client=client,
        created=created,
        added=added,
        unsubscribed=client.unsubscribed_at is not None,
        suppressed=client.suppressed_at is not None,
    )
