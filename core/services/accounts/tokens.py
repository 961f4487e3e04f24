"""A user's API token: see that it exists, make one (shown once), revoke it."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from core.models import User


def api_token_of(user: User) -> Token | None:
    """The user's API token (djoser's one token per user), if they have one."""
    return Token.objects.filter(user=user).first()


def api_token_create(*, user: User) -> Token:
    """Issue a new API token for the user; the one they had stops working.
    Its key is shown to the person once: it is the password of API clients."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def api_token_revoke(*, user: User) -> bool:
    """Revoke the user's API token; False if they had none."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return deleted > 0
