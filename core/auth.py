from django.contrib.auth.backends import ModelBackend

from core import data_version
from core.cache import get_current, set_current
from core.models import User
from core.selectors import load_permissions


class EmailBackend(ModelBackend):
    """Log in by email (case-insensitive). Blocked and unverified accounts cannot log in.
    Permissions are read through `core.selectors.load_permissions`: in one query, then
    from the cache until a role, a group or the user's permissions change. The user of a
    session comes from the cache until the next write to the service's tables
    (`core/data_version.py`: blocking, a new password, any change to the user is one)."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and user.email_verified

    def get_user(self, user_id):
        if not data_version.enabled():
            return super().get_user(user_id)
        key = f"users:{user_id}"
        token, user = get_current(key, data_version.KEY)
        if user is None:
            user = User._default_manager.filter(pk=user_id).first()
            if user is None:
                return None
            set_current(key, token, user, data_version.seconds())
        return user if self.user_can_authenticate(user) else None

    def _get_permissions(self, user_obj, obj, from_name):
        load_permissions(user_obj)
        return super()._get_permissions(user_obj, obj, from_name)
