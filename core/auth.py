import ipaddress

from django.contrib.auth.backends import ModelBackend
from rest_framework.throttling import BaseThrottle

from core import data_version
from core.cache import get_current, set_current
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
    session comes from the cache until the next write to the service's tables
    (`core/data_version.py`: blocking, a new password, any change to the user is one)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None:
            username = login_name(request, {"username": username})
        return super().authenticate(request, username=username, password=password, **kwargs)

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
