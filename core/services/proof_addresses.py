"""An owner's test addresses: up to MAX_TEST_ADDRESSES addresses besides their own that tests of
their messages may go to, each once its reader has confirmed it from a signed, expiring link
emailed to it. The link page asks before it confirms (a GET shows a button, only its POST
confirms: mail scanners open links). Verification emails go through the outbox, at most one a
minute and VERIFICATIONS_PER_HOUR an hour to one address, counted from the outbox rows."""

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import outbox
from core.models import OutboxEmail, TestAddress, User
from core.models.proof_addresses import DUPLICATE_TEST_ADDRESS

MAX_TEST_ADDRESSES = 5
VERIFICATION_KIND = "verify_test_address"
RESEND_INTERVAL = timedelta(minutes=1)
VERIFICATIONS_PER_HOUR = 5
_SALT = "core.test-addresses.verify"


class TestAddressRefused(Exception):
    """Not done; `message` says why, `retry_after` (seconds) when it may be tried again."""

    __test__ = False

    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class TestAddressLinkInvalid(ValidationError):
    """A confirmation link that was tampered with ("invalid"), has expired ("expired") or was used ("used")."""

    __test__ = False


@dataclass(frozen=True)
class TestAddressLink:
    __test__ = False

    address: TestAddress
    owner: User


def test_recipients(user: User) -> list[str]:
    """Where `user`'s tests may go: their own address first, then their confirmed test addresses."""
    return [user.email, *user.test_addresses.verified().values_list("email", flat=True)]


def test_address_add(*, owner: User, email: str, now: datetime | None = None) -> TestAddress:
    """Add an address (not yet confirmed) and email it the confirmation link.
    Raises ValidationError (field `email`) for a bad, duplicate or own address, or a sixth one."""
    email = User.objects.normalize_email(email)
    if email == owner.email.lower():
        raise ValidationError({"email": _("This is your own address: tests can go to it already.")})
    address = TestAddress(owner=owner, email=email)
    address.full_clean(exclude=["owner"], validate_constraints=False)
    try:
        with transaction.atomic():
            # One owner's additions one after another: two tabs cannot both take the fifth place.
            User.objects.select_for_update().filter(pk=owner.pk).exists()
            if owner.test_addresses.filter(email__iexact=email).exists():
                raise ValidationError({"email": DUPLICATE_TEST_ADDRESS})
            if owner.test_addresses.count() >= MAX_TEST_ADDRESSES:
                raise ValidationError(
                    {
                        "email": ngettext(
                            "You can have at most %(count)d test address. Delete one to add another.",
                            "You can have at most %(count)d test addresses. Delete one to add another.",
                            MAX_TEST_ADDRESSES,
                        )
                        % {"count": MAX_TEST_ADDRESSES}
                    }
                )
            address.save()
            # A link went to this address a moment ago (added, deleted, added again): that one still works.
            with suppress(TestAddressRefused):
                _send_verification(address, now=now or timezone.now())
    except IntegrityError:  # the same address added a moment ago
        raise ValidationError({"email": DUPLICATE_TEST_ADDRESS}) from None
    return address


def test_address_resend(*, address: TestAddress, now: datetime | None = None) -> None:
    """Email the confirmation link again. Raises TestAddressRefused when the
    address is confirmed already or a link went to it too recently."""
    if address.is_verified:
        raise TestAddressRefused(_("This address is confirmed already."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=address.owner_id).exists()
        _send_verification(address, now=now or timezone.now())


def test_address_delete(*, address: TestAddress) -> None:
    address.delete()


def confirmation_token(address: TestAddress) -> str:
    # The owner and the address, not the row: a link still works after the address is deleted and added again.
    return signing.dumps([address.owner_id, address.email.lower()], salt=_SALT)


def test_address_from_link(*, token: str) -> TestAddressLink:
    """The address a confirmation link is for, still waiting to be confirmed.
    Raises TestAddressLinkInvalid."""
    try:
        owner_id, email = signing.loads(token, salt=_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired:
        raise TestAddressLinkInvalid(
            _("This confirmation link has expired. Ask the person who added the address to send a new one."),
            code="expired",
        ) from None
    except (signing.BadSignature, TypeError, ValueError):
        raise TestAddressLinkInvalid(_("This confirmation link is not valid."), code="invalid") from None
    address = TestAddress.objects.select_related("owner").filter(owner_id=owner_id, email__iexact=email).first()
    if address is None:
        raise TestAddressLinkInvalid(_("This address is no longer a test address of anyone."), code="invalid")
    if address.is_verified:
        raise TestAddressLinkInvalid(_("This address is confirmed already: the link has been used."), code="used")
    return TestAddressLink(address=address, owner=address.owner)


def test_address_confirm(*, token: str, now: datetime | None = None) -> TestAddress:
    """Confirm the address of a link, once. Raises TestAddressLinkInvalid."""
    address = test_address_from_link(token=token).address
    confirmed = TestAddress.objects.filter(pk=address.pk, verified_at__isnull=True).update(
        verified_at=now or timezone.now()
    )
    if not confirmed:  # confirmed by another click a moment ago
        raise TestAddressLinkInvalid(_("This address is confirmed already: the link has been used."), code="used")
    address.refresh_from_db(fields=["verified_at"])
    return address


def _send_verification(address: TestAddress, *, now: datetime) -> None:
    sent = OutboxEmail.objects.filter(kind=VERIFICATION_KIND, recipient__iexact=address.email)
    last_hour = list(sent.filter(created_at__gt=now - timedelta(hours=1)).values_list("created_at", flat=True))
    wait = 0
    if last_hour and max(last_hour) > now - RESEND_INTERVAL:
        wait = (max(last_hour) + RESEND_INTERVAL - now).total_seconds()
    if len(last_hour) >= VERIFICATIONS_PER_HOUR:
        wait = max(wait, (min(last_hour) + timedelta(hours=1) - now).total_seconds())
    if wait > 0:
        seconds = int(wait) + 1
        raise TestAddressRefused(
            ngettext(
                "A link went to this address a moment ago; a new one can go in %(seconds)d second.",
                "A link went to this address a moment ago; a new one can go in %(seconds)d seconds.",
                seconds,
            )
            % {"seconds": seconds},
            retry_after=seconds,
        )
    owner = address.owner
    link = settings.SITE_URL + reverse("test-address-confirm", kwargs={"token": confirmation_token(address)})
    hours = max(1, settings.EMAIL_VERIFICATION_MAX_AGE // 3600)
    context = {"owner": owner, "link": link, "hours": hours, "site_url": settings.SITE_URL}
    with translation.override(owner.language):  # the owner's language is the best guess for a colleague's
        outbox.enqueue_from_templates(
            kind=VERIFICATION_KIND, recipient=address.email, context=context, requested_by=owner
        )
