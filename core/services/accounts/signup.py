"""Sign-up and email verification. Nothing here tells a caller whether an address is registered:
sign-up and resending a link answer the same either way; the owner of a registered address
gets an email instead."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import roles
from core.cache import users_changed
from core.models import User
from core.services.accounts.checks import _validate_new_user
from core.services.accounts.emails import _send_registration_attempt_email, send_verification_email
from core.services.accounts.links import _VERIFY_SALT, _user_from_uid, _verification_value


class VerificationLinkInvalid(ValidationError):
    """The verification link was tampered with, or has expired (code "expired")."""


def user_verify_email(*, uidb64: str, token: str) -> User:
    """Confirm the address from a verification link and return the user.

    Verifying never unblocks: `is_active` is left alone. A link for an address
    that is already verified is accepted again (people click twice).
    """
    user = _user_from_uid(uidb64)
    if user is None:
        raise VerificationLinkInvalid(_("This verification link is not valid."), code="invalid")
    try:
        signing.TimestampSigner(salt=_VERIFY_SALT).unsign(
            f"{_verification_value(user)}:{token}", max_age=settings.EMAIL_VERIFICATION_MAX_AGE
        )
    except signing.SignatureExpired:
        raise VerificationLinkInvalid(
            _("This verification link has expired. Ask for a new one below."), code="expired"
        ) from None
    except signing.BadSignature:
        raise VerificationLinkInvalid(_("This verification link is not valid."), code="invalid") from None
    if user.email_verified_at is None:
        User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(email_verified_at=timezone.now())
        users_changed([user.pk])
        user.refresh_from_db(fields=["email_verified_at"])
    return user


def user_register(
    *, email: str, full_name: str, password: str, time_zone: str, language: str | None = None
) -> User | None:
    """Sign a person up: a plain user (group User), not blocked, address not
    yet verified, and a verification email on its way.

    If the address is already registered nothing is created and its owner is
    told by email that someone tried to sign up with it; the caller answers
    exactly as for a new account. Returns the new user, or None in that case.
    `language` (of the footer of their mailings) is the site's when not given.
    Raises ValidationError (password, time zone, language, full name) for bad input.
    """
    user = User(email=User.objects.normalize_email(email), full_name=full_name.strip(), time_zone=time_zone)
    if language is not None:
        user.language = language
    _validate_new_user(user, password, validate_unique=False, validate_constraints=False)

    existing = User.objects.filter(email__iexact=user.email).first()
    if existing is None:
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
                user.groups.add(Group.objects.get(name=roles.USER))
                send_verification_email(user)
        except IntegrityError:  # the same address signed up a moment ago
            existing = User.objects.filter(email__iexact=user.email).first()
    else:
        make_password(password)  # same work as a real sign-up, so timing tells nothing either
    if existing is not None:
        _send_registration_attempt_email(existing)
        return None
    return user


def verification_resend(*, email: str) -> None:
    """Send a fresh verification link if `email` belongs to an account that is
    still unverified. Says nothing either way."""
    user = User.objects.filter(email__iexact=User.objects.normalize_email(email), email_verified_at=None).first()
    if user is not None:
        send_verification_email(user)
