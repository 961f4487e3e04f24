"""Lists: a list's record, putting clients on it and taking them off, sign-ups."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import StrictFieldsMixin
from api.serializers.clients import client_ids, clients_matching_field
from api.serializers.common import TEXTAREA, UniqueForOwnerMixin
from core.models import ClientList
from core.models.lists import DUPLICATE_LIST_NAME, list_name_taken
from core.services.signup import signup_page_url
from core.validators import validate_not_blank, validate_single_line


class ClientListSerializer(StrictFieldsMixin, UniqueForOwnerMixin, serializers.ModelSerializer):
    unique_field, unique_refusal = "name", DUPLICATE_LIST_NAME
    unique_taken = staticmethod(list_name_taken)

    description = serializers.CharField(
        label=_("Description"), required=False, allow_blank=True, max_length=10000, style=TEXTAREA
    )
    clients_count = serializers.IntegerField(read_only=True, help_text=_("Clients on the list."))
    is_public = serializers.BooleanField(
        label=_("Public sign-up"),
        required=False,
        help_text=_("Anyone with the sign-up page's address may ask to join; they join when they confirm by email."),
    )
    signup_url = serializers.SerializerMethodField(
        help_text=_("The list's sign-up page (it answers only while the list is public).")
    )

    class Meta:
        model = ClientList
        fields = [
            "id",
            "name",
            "description",
            "is_public",
            "signup_token",
            "signup_url",
            "clients_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "signup_token", "clients_count", "created_at", "updated_at"]
        extra_kwargs = {"signup_token": {"help_text": _("The unguessable key in the sign-up page's address.")}}

    @extend_schema_field(OpenApiTypes.URI)
    def get_signup_url(self, instance) -> str:
        return signup_page_url(instance)

    def validate_name(self, value):
        return self.refuse_taken(value)

    def to_representation(self, instance):
        if not hasattr(instance, "clients_count"):
            instance.clients_count = instance.members.count()
        return super().to_representation(instance)


class ListClientsSerializer(StrictFieldsMixin, serializers.Serializer):
    clients = client_ids(
        allow_empty=False,
        error_messages={"empty": _("Choose at least one client."), "required": _("Choose at least one client.")},
    )


class SubscriberSerializer(StrictFieldsMixin, serializers.Serializer):
    email = serializers.EmailField(label=_("Email"), max_length=254)
    full_name = serializers.CharField(
        label=_("Name"), max_length=255, validators=[validate_not_blank, validate_single_line]
    )
    confirm = serializers.BooleanField(
        label=_("Ask them to confirm by email"),
        required=False,
        default=False,
        help_text=_(
            "True: email them a link to confirm (double opt-in); nothing is written until they do. "
            "False: put them on the list now, vouching for their consent."
        ),
    )


class SubscriberResultSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What happened, in words."))
    confirmation_sent = serializers.BooleanField(
        help_text=_("A confirmation link was emailed; nothing is written until it is used.")
    )
    client = serializers.IntegerField(
        allow_null=True, help_text=_("The client on the list (its id); null while a confirmation is awaited.")
    )
    unsubscribed = serializers.BooleanField(
        help_text=_("The client has unsubscribed: only their own confirmation of a sign-up undoes that.")
    )
    suppressed = serializers.BooleanField(help_text=_("Mail to the address keeps failing: none is sent to it."))


class ListAddClientsSerializer(StrictFieldsMixin, serializers.Serializer):
    """Clients to put on a list: ids, a filter, or both (their union)."""

    clients = client_ids(required=False)
    clients_matching = clients_matching_field()

    def validate(self, attrs):
        if not attrs.get("clients") and attrs.get("clients_matching") is None:
            raise serializers.ValidationError({"clients": [_("Choose at least one client.")]}, code="empty")
        return attrs


class ListClientsResultSerializer(serializers.Serializer):
    changed = serializers.IntegerField(help_text=_("Clients added to (or removed from) the list by this request."))
    clients_count = serializers.IntegerField(help_text=_("Clients on the list now."))
