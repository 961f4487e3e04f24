"""A message image as the API shows it, and the upload that makes one."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.fields import StrictFieldsMixin
from api.serializers.common import as_field_errors
from core.models import MessageImage
from core.services.images import image_create


class MessageImageSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A picture uploaded for Markdown messages, with the absolute address mail clients load it from."""

    file = serializers.FileField(
        label=_("Image"),
        write_only=True,
        help_text=_("A JPEG, PNG, GIF or WebP picture (multipart/form-data). Its file name is not kept."),
    )
    url = serializers.URLField(
        read_only=True,
        help_text=_(
            "The picture's absolute address on the site, loaded without a log-in (mail clients load it). "
            "Put it in a Markdown message as ![text](url)."
        ),
    )

    class Meta:
        model = MessageImage
        fields = ["id", "file", "url", "width", "height", "size", "created_at"]
        read_only_fields = ["id", "url", "width", "height", "size", "created_at"]
        extra_kwargs = {"size": {"help_text": _("In bytes.")}}

    def create(self, validated_data):
        try:
            return image_create(owner=validated_data["owner"], upload=validated_data["file"])
        except DjangoValidationError as exc:
            raise as_field_errors(exc) from None
