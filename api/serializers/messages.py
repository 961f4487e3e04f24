"""Messages: a message's record and its preview."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.fields import StrictFieldsMixin, id_field
from api.serializers.common import TEXTAREA
from core.models import Message, MessageFormat
from core.placeholders import validate_placeholders


class MessageSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    body = serializers.CharField(label=_("Body"), max_length=100000, style=TEXTAREA, validators=[validate_placeholders])

    class Meta:
        model = Message
        fields = ["id", "subject", "format", "body", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "format": {
                "default": MessageFormat.PLAIN,
                "help_text": _(
                    "Plain text is sent as written. Markdown is sent as HTML in a clean email layout, with a "
                    "plain-text version for mail clients that show no HTML."
                ),
            }
        }

    def validate_subject(self, value):
        validate_placeholders(value)
        return value


class MessagePreviewSerializer(serializers.Serializer):
    client = serializers.IntegerField(allow_null=True, help_text=_("The client it was rendered for; null: a sample."))
    email = serializers.EmailField()
    full_name = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField(help_text=_("With the unsubscribe line every mailing message ends with."))
    error = serializers.CharField(allow_null=True, help_text=_("Why the message cannot be built, if it cannot."))
    format = serializers.ChoiceField(choices=MessageFormat.choices)
    html = serializers.CharField(
        allow_blank=True,
        help_text=_("A Markdown message's HTML part, the whole document as sent; empty for plain text."),
    )


class PreviewQuerySerializer(serializers.Serializer):
    client = id_field(required=False)
