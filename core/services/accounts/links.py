"""Signed links of account emails: the user id in a link, and the email-verification token."""

from django.core import signing
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from core.models import User

_VERIFY_SALT = "core.accounts.verify-email"


def encode_uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def _user_from_uid(uidb64: str) -> User | None:
    try:
        return User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None


def _verification_value(user: User) -> str:
    # Binding the address: a link stops working if the address changes.
    return f"{user.pk}:{user.email}"


def verification_token_make(user: User) -> str:
    signed = signing.TimestampSigner(salt=_VERIFY_SALT).sign(_verification_value(user))
    return signed.removeprefix(_verification_value(user) + ":")
