"""Object permissions for every viewset, from the core rules.

Querysets come from the core selectors, so another user's object is simply not
found (404) for a plain user. What is visible but not changeable (a manager
looking at another user's mailing) answers 403 to a change.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.selectors import can_change, can_list_users, can_toggle_mailing

TOGGLE_ACTIONS = {"enable", "disable"}


class ChangeOwnOnly(BasePermission):
    """Read what the selector shows; change only one's own objects (admins: all).
    Enabling and disabling a mailing is also open to managers."""

    message = "You may look at this object but not change it."

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS and getattr(view, "action", None) not in TOGGLE_ACTIONS:
            return True
        if getattr(view, "action", None) in TOGGLE_ACTIONS:
            return can_toggle_mailing(request.user, obj)
        return can_change(request.user, obj)


class ManagesUsers(BasePermission):
    """Managers and admins list users and block or unblock them."""

    def has_permission(self, request, view):
        return can_list_users(request.user)
