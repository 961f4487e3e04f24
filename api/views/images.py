from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.parsers import FormParser, MultiPartParser

from api.faces import ListMixin, RetrieveMixin
from api.serializers.common import as_field_errors
from api.serializers.images import MessageImageSerializer
from api.views.base import OwnedObjectsMixin, ResourceViewSet
from core.selectors import images_visible_to
from core.services.images import image_delete
from markup.images import too_large

# What a multipart body adds around the file (boundaries, part headers) at most.
FORM_OVERHEAD = 64 * 1024
CONFLICT = OpenApiResponse(description=_("A message shows the image; it was not deleted."))


@extend_schema_view(
    list=extend_schema(summary="List your images"),
    retrieve=extend_schema(summary="One image"),
    create=extend_schema(
        request={"multipart/form-data": MessageImageSerializer},
        summary="Upload an image",
        description="A JPEG, PNG, GIF or WebP picture within the size and pixel limits, sent as multipart/form-data "
        "in `file`. It is stored under a random name and served from the site without a log-in at `url`, "
        "for Markdown messages: `![text](url)`.",
    ),
    destroy=extend_schema(
        summary="Delete an image",
        description="Refused (409) while one of your messages shows the image.",
        responses={204: None, 409: CONFLICT},
    ),
)
@extend_schema(tags=["images"])
class MessageImageViewSet(
    OwnedObjectsMixin,
    ListMixin,
    RetrieveMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    ResourceViewSet,
):
    """Pictures you uploaded for your Markdown messages."""

    resource = "images"
    url_basename = "image"
    serializer_class = MessageImageSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_class = None
    ordering_fields = ["created_at", "size", "id"]
    visible_to = staticmethod(images_visible_to)

    def create(self, request, *args, **kwargs):
        try:
            announced = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            announced = 0
        if announced > settings.MESSAGE_IMAGE_MAX_BYTES + FORM_OVERHEAD:
            # refused by the size the request announces, before its body is read
            raise as_field_errors(
                DjangoValidationError({"file": [too_large(announced, settings.MESSAGE_IMAGE_MAX_BYTES)]})
            )
        return super().create(request, *args, **kwargs)

    def perform_destroy(self, instance):
        image_delete(image=instance)
