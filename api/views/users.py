from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from api.filters import UserFilter
from api.permissions import ManagesUsers
from api.serializers.users import BlockSerializer, UserSerializer
from api.views.base import ResourceViewSet
from core.selectors import users_visible_to
from core.services.users import user_set_blocked


@extend_schema_view(
    list=extend_schema(summary="List users with their mailing counts", description="Managers and admins only."),
    retrieve=extend_schema(summary="One user"),
)
@extend_schema(tags=["users"])
class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    """The service's users, for managers: who they are, how many mailings they
    keep, and blocking. Managers cannot block admins; nobody blocks themselves.
    JSON only: the users page (web/manage_views.py) is the one users screen."""

    resource = "users"
    url_basename = "user"
    serializer_class = UserSerializer
    permission_classes = [ManagesUsers]
    filterset_class = UserFilter
    filter_backends = [*ResourceViewSet.filter_backends[:1], OrderingFilter]
    ordering_fields = ["email", "date_joined", "mailings_count", "id"]

    def get_queryset(self):
        return users_visible_to(self.request.user)

    def get_renderers(self):
        return [renderer() for renderer in self.renderer_classes]

    def _set_blocked(self, blocked: bool, reason: str = ""):
        user = user_set_blocked(user=self.get_object(), blocked=blocked, by=self.request.user, reason=reason)
        return Response(UserSerializer(self.get_queryset().get(pk=user.pk)).data)

    @extend_schema(summary="Block a user", description="No login, no API token, no sending.", request=BlockSerializer)
    @action(detail=True, methods=["post"])
    def block(self, request, pk=None):
        options = BlockSerializer(data=request.data, context=self.get_serializer_context())
        options.is_valid(raise_exception=True)
        return self._set_blocked(True, reason=options.validated_data.get("reason", ""))

    @extend_schema(summary="Unblock a user", request=None)
    @action(detail=True, methods=["post"])
    def unblock(self, request, pk=None):
        return self._set_blocked(False)
