from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, status, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from api.faces import FORM_ACTIONS, FormFragmentsMixin, ListMixin, RetrieveMixin, TwoFacedMixin
from api.pagination import Pages
from api.permissions import ChangeOwnOnly
from core.services.objects import ObjectInUse


class ResourceViewSet(TwoFacedMixin, viewsets.GenericViewSet):
    """Common ground: authenticated, scoped by a core selector, paginated,
    filtered by a FilterSet, ordered by a whitelist, numeric ids."""

    permission_classes = [IsAuthenticated, ChangeOwnOnly]
    pagination_class = Pages
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = None
    lookup_value_regex = r"\d+"
    write_serializer_class = None

    def get_serializer_class(self):
        if self.write_serializer_class is not None and self.action in FORM_ACTIONS:
            return self.write_serializer_class
        return super().get_serializer_class()


class OwnedObjectsMixin:
    """A resource its user keeps (clients, messages): scoped by the core selector
    `visible_to`, created for the user, deleted by the view's `perform_destroy`
    (a core service), which refuses while a mailing uses the object: 409 with why."""

    visible_to = None

    @classmethod
    def listed(cls, request):
        return cls.visible_to(request.user)

    def get_queryset(self):
        return self.listed(self.request)

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)

    def destroy(self, request, *args, **kwargs):
        try:
            return super().destroy(request, *args, **kwargs)
        except ObjectInUse as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_409_CONFLICT)


class EditableViewSet(
    FormFragmentsMixin,
    ListMixin,
    RetrieveMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ResourceViewSet,
):
    """A resource with every action and both faces: list, one, create, change,
    delete, and the form and delete-confirmation fragments of its page."""


class OwnedResourceViewSet(OwnedObjectsMixin, EditableViewSet):
    """An editable resource its user keeps (clients, lists, messages)."""
