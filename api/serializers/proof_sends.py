"""Test sends of a message or mailing: what it is rendered for, where it goes, what went."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.fields import StrictFieldsMixin, id_field


class TestSendSerializer(StrictFieldsMixin, serializers.Serializer):
    """What a test is rendered for; `context["clients"]`: the clients it may be rendered for."""

    __test__ = False

    client = id_field(
        required=False,
        allow_null=True,
        help_text=_("The client it is rendered for (one of the message's or mailing's); left out: a sample client."),
    )
    recipient = serializers.EmailField(
        required=False,
        help_text=_(
            "Where it goes: your own address (left out) or one of your confirmed test addresses "
            "(`/api/test-addresses/`)."
        ),
    )

    def validate_client(self, value):
        if value is None:
            return None
        client = self.context["clients"].filter(pk=value).first()
        if client is None:
            raise serializers.ValidationError(_("No such client."))
        return client


class TestSentSerializer(serializers.Serializer):
    __test__ = False

    detail = serializers.CharField()
    recipient = serializers.EmailField(
        help_text=_("Where the test went: your own address or one of your confirmed test addresses.")
    )
    subject = serializers.CharField(help_text=_("Its subject, “[Test]” first."))
    email = serializers.EmailField(help_text=_("The client it was rendered for (or the sample client's address)."))
    full_name = serializers.CharField()
