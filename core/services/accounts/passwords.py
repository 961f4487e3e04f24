"""Password reset and change. Asking for a reset answers the same whether the address is
registered or not."""

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core.models import User
from core.services.accounts.checks import _validate_new_password
from core.services.accounts.emails import send_password_reset_email
from core.services.accounts.links import _user_from_uid


def password_reset_request(*, email: str) -> None:
    """Email a reset link if `email` belongs to an active account with a
    password. Says nothing either way."""
    user = User.objects.filter(email__iexact=User.objects.normalize_email(email), is_active=True).first()
    if user is not None and user.has_usable_password():
        send_password_reset_email(user)


def password_reset_user(*, uidb64: str, token: str) -> User | None:
    """The user a reset link is for, or None if the link is invalid or expired."""
    user = _user_from_uid(uidb64)
    if user is not None and default_token_generator.check_token(user, token):
        return user
    return None


def password_change(*, user: User, password: str, request=None) -> None:
    """Set a new password the user chose (the password page, the API). Their
    API tokens are revoked and their other sessions end (a session keeps a hash
    of the password); the session of `request`, if it has one, stays logged in."""
    _validate_new_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save(update_fields=["password"])
        Token.objects.filter(user=user).delete()
    if request is not None and getattr(request, "session", None) is not None:
        update_session_auth_hash(request, user)


def password_reset_complete(*, user: User, password: str) -> None:
    """Set the new password from a reset link. Following the link proved the
    address, so it counts as verified; API tokens issued before are revoked and
    sessions end (a session keeps a hash of the password)."""
    _validate_new_password(password, user)
    user.set_password(password)
    user.last_login = timezone.now()  # invalidates the reset link
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
    with transaction.atomic():
        user.save(update_fields=["password", "last_login", "email_verified_at"])
        Token.objects.filter(user=user).delete()
