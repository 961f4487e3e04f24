"""Object access for page views, written once on top of the core selectors.

A page view over one client, message or mailing (any SingleObjectMixin view)
mixes in `ObjectAccessMixin` and names the selector that scopes what the user
may see::

    class MailingPageView(LoginRequiredMixin, ObjectAccessMixin, DetailView):
        visible_to = staticmethod(mailings_visible_to)

An object outside the selector's queryset answers 404, so a plain user cannot
tell another user's object from a missing one. Changes go through the API's
viewsets, whose permissions decide who may change what.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from core.models import User


class ObjectAccessMixin:
    visible_to: Callable[[User], QuerySet] | None = None

    def get_queryset(self):
        if self.visible_to is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must name its selector in `visible_to`.")
        return self.visible_to(self.request.user)
