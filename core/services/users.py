from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from core.models import User
from core.selectors import can_block


def user_set_blocked(*, user: User, blocked: bool, by: User, reason: str = "") -> User:
    """Block or unblock a user; `reason` (optional, kept while blocked) is
    shown to them when their log-in is refused and to managers in the list.

    A blocked user cannot log in; their sessions stop working at once (the
    authentication backend refuses inactive users on every request), their API
    tokens are deleted, and their mailings stop sending (the dispatcher skips
    owners who are inactive; pending attempts stay pending). Managers may
    block any non-admin user; nobody blocks themselves.
    """
    if user.pk == by.pk:
        raise PermissionDenied(_("You cannot block or unblock yourself."))
    if not can_block(by, user):
        raise PermissionDenied(_("You may not block or unblock this user."))
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=not blocked, block_reason=reason.strip() if blocked else "")
        if blocked:
            Token.objects.filter(user=user).delete()
    user.refresh_from_db(fields=["is_active", "block_reason"])
    return user
