import ipaddress

from django.contrib.auth.backends import ModelBackend
from rest_framework.throttling import BaseThrottle

from core.cache import data_cache_enabled, data_cache_seconds, keep, lookup, user_version
from core.models import User
from core.selectors import load_permissions


def login_name(request, credentials) -> str:
    """The account a log-in names, however its address was typed: django-axes
    counts failures under it (AXES_USERNAME_CALLABLE) and our backend looks it up."""
    return User.objects.normalize_email((credentials or {}).get("username"))


def client_address(request) -> str | None:
    """The address a request comes from, read as the API's throttling reads it
    (`NUM_PROXIES`: the proxy's X-Forwarded-For with BEHIND_PROXY, else the
    connection's own); django-axes counts failures under it (AXES_CLIENT_IP_CALLABLE).
    A header that is not an address (a request that went round the proxy)
    counts as the connection's."""
    address = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return request.META.get("REMOTE_ADDR")


class EmailBackend(ModelBackend):
    """Log in by email (case-insensitive). Blocked and unverified accounts cannot log in.
    Permissions are read through `core.selectors.load_permissions`: in one query, then
    from the cache until a role, a group or the user's permissions change. The user of a
    session comes from the cache until their account changes (`core.cache.user_version`:
    blocking, a new password, a new role, any save of the user moves it on)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None:
            username = login_name(request, {"username": username})
        return super().authenticate(request, username=username, password=password, **kwargs)

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and user.email_verified

    def get_user(self, user_id):
        if not data_cache_enabled():
            return super().get_user(user_id)
        key = f"users:{user_id}"
        stamp, user = lookup(key, (user_version(user_id),))
        if user is None:
            user = User._default_manager.filter(pk=user_id).first()
            if user is None:
                return None
            keep(key, stamp, user, data_cache_seconds())
        return user if self.user_can_authenticate(user) else None

    def _get_permissions(self, user_obj, obj, from_name):
        load_permissions(user_obj)
        return super()._get_permissions(user_obj, obj, from_name)
