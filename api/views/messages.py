from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from api.faces import FormFragmentsMixin
from api.filters import MessageFilter
from api.serializers import MessageSerializer
from api.views.base import ResourceViewSet
from core.selectors import messages_visible_to
from core.services.objects import ObjectInUse, message_delete

CONFLICT = OpenApiResponse(description=_("A mailing sends the message; it was not deleted."))


@extend_schema_view(
    list=extend_schema(summary="List your messages"),
    retrieve=extend_schema(summary="One message"),
    create=extend_schema(
        summary="Write a message",
        description="Plain text. Subject and body may use {full_name} and {email}; the subject is one line.",
    ),
    update=extend_schema(summary="Change a message"),
    partial_update=extend_schema(summary="Change some fields of a message"),
    destroy=extend_schema(
        summary="Delete a message",
        description="Refused (409) while a mailing sends the message.",
        responses={204: None, 409: CONFLICT},
    ),
)
@extend_schema(tags=["messages"])
class MessageViewSet(
    FormFragmentsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ResourceViewSet,
):
    """The subjects and bodies your mailings send."""

    resource = "messages"
    serializer_class = MessageSerializer
    filterset_class = MessageFilter
    ordering_fields = ["subject", "created_at", "id"]

    def get_queryset(self):
        return messages_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)

    def perform_destroy(self, instance):
        message_delete(message=instance)

    def destroy(self, request, *args, **kwargs):
        try:
            return super().destroy(request, *args, **kwargs)
        except ObjectInUse as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_409_CONFLICT)
