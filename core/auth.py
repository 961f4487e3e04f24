from django.contrib.auth.backends import ModelBackend

from core.selectors import load_permissions


class EmailBackend(ModelBackend):
    """Log in by email (case-insensitive). Blocked and unverified accounts cannot log in.
    Permissions are read through `core.selectors.load_permissions`: in one query, then
    from the cache until a role, a group or the user's permissions change."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and user.email_verified

    def _get_permissions(self, user_obj, obj, from_name):
        load_permissions(user_obj)
        return super()._get_permissions(user_obj, obj, from_name)
