from rest_framework import viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import IsAuthenticated

from api.faces import FORM_ACTIONS, TwoFacedMixin
from api.filters import FilterBackend
from api.pagination import Pages
from api.permissions import ChangeOwnOnly


class ResourceViewSet(TwoFacedMixin, viewsets.GenericViewSet):
    """Common ground: authenticated, scoped by a core selector, paginated,
    filtered by a FilterSet, ordered by a whitelist, numeric ids."""

    permission_classes = [IsAuthenticated, ChangeOwnOnly]
    pagination_class = Pages
    filter_backends = [FilterBackend, OrderingFilter]
    lookup_value_regex = r"\d+"
    write_serializer_class = None

    def get_serializer_class(self):
        if self.write_serializer_class is not None and self.action in FORM_ACTIONS:
            return self.write_serializer_class
        return super().get_serializer_class()
