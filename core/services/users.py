from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from core.cache import owners_changed, users_changed
from core.dispatch.watch import announce_withdrawal
from core.models import User
from core.selectors import can_block


def user_set_blocked(*, user: User, blocked: bool, by: User, reason: str = "") -> User:
    """Block or unblock a user; `reason` (optional, kept while blocked) is
    shown to them when their log-in is refused and to managers in the list.

    A blocked user cannot log in; their sessions end at once and for good
    (`User.session_epoch` moves on, so unblocking does not bring them back),
    their API tokens are deleted, and their mailings stop sending (the
    dispatcher skips owners who are inactive; pending attempts stay pending).
    Managers may block any non-admin user; nobody blocks themselves.
    """
    if user.pk == by.pk:
        raise PermissionDenied(_("You cannot block or unblock yourself."))
    if not can_block(by, user):
        raise PermissionDenied(_("You may not block or unblock this user."))
    with transaction.atomic():
        if blocked:
            User.objects.filter(pk=user.pk).update(
                is_active=False, session_epoch=F("session_epoch") + 1, block_reason=reason.strip()
            )
            Token.objects.filter(user=user).delete()
            announce_withdrawal()
        else:
            User.objects.filter(pk=user.pk).update(is_active=True, block_reason="")
        # Their sessions and rights, and their mailings' state as managers see it.
        users_changed([user.pk])
        owners_changed([user.pk])
    user.refresh_from_db(fields=["is_active", "session_epoch", "block_reason"])
    return user
