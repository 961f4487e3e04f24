"""Test addresses: addresses besides your own that tests may go to."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.fields import StrictFieldsMixin
from api.serializers.common import as_field_errors
from core.models import TestAddress
from core.services.proof_addresses import test_address_add


class TestAddressSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """An address besides your own that your tests may go to, once its reader has confirmed it."""

    __test__ = False

    is_verified = serializers.BooleanField(
        read_only=True, help_text=_("Confirmed from the link emailed to it: tests may go to it.")
    )

    class Meta:
        model = TestAddress
        fields = ["id", "email", "is_verified", "verified_at", "created_at"]
        read_only_fields = ["verified_at", "created_at"]
        extra_kwargs = {"email": {"help_text": _("A confirmation link is emailed to it when it is added.")}}

    def create(self, validated_data):
        try:
            # The rules (your own address, a duplicate, at most five) are core's.
            return test_address_add(owner=validated_data["owner"], email=validated_data["email"])
        except DjangoValidationError as exc:
            raise as_field_errors(exc) from None


class TestAddressSentSerializer(serializers.Serializer):
    __test__ = False

    detail = serializers.CharField()
