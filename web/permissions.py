"""Object access for page views, written once on top of the core selectors.

A page view over one client, message or mailing (a DetailView, UpdateView,
DeleteView, or any SingleObjectMixin view) mixes in `ObjectAccessMixin` and
names the selector that scopes what the user may see::

    class MailingEditView(LoginRequiredMixin, ObjectAccessMixin, UpdateView):
        visible_to = staticmethod(mailings_visible_to)
        changes_object = True

An object outside the selector's queryset answers 404, so a plain user cannot
tell another user's object from a missing one. A view that changes the object
sets `changes_object`; then an object the user may see but not change (a
manager opening another user's mailing for editing) answers 403. The change
rule is `core.selectors.can_change` unless the view names another
(`may_change = staticmethod(can_toggle_mailing)` for enabling and disabling).
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, QuerySet

from core.models import User
from core.selectors import can_change


class ObjectAccessMixin:
    visible_to: Callable[[User], QuerySet] | None = None
    changes_object = False
    may_change: Callable[[User, Model], bool] = staticmethod(can_change)

    def get_queryset(self):
        if self.visible_to is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must name its selector in `visible_to`.")
        return self.visible_to(self.request.user)

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if self.changes_object and not self.may_change(self.request.user, obj):
            raise PermissionDenied
        return obj
