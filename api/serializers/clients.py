"""Clients: a client's record, clients chosen by id or by a filter, and bulk changes."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.settings import api_settings

from api.fields import IdListField, StrictFieldsMixin, id_field
from api.serializers.common import TEXTAREA, UniqueForOwnerMixin, _NullWhenBlankChoice, _NullWhenBlankURL
from core.models import Client, ClientMatch, ConsentSource
from core.models.clients import DUPLICATE_EMAIL, client_email_taken
from core.selectors import lists_visible_to


@extend_schema_serializer(component_name="ClientRecord")
class ClientSerializer(StrictFieldsMixin, UniqueForOwnerMixin, serializers.ModelSerializer):
    unique_field, unique_refusal = "email", DUPLICATE_EMAIL
    unique_taken = staticmethod(client_email_taken)

    comment = serializers.CharField(
        label=_("Comment"), required=False, allow_blank=True, max_length=10000, style=TEXTAREA
    )
    lists = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=_("The lists the client is on (ids); change them on the lists.")
    )
    consent_source = _NullWhenBlankChoice(
        choices=ConsentSource.choices,
        read_only=True,
        allow_null=True,
        help_text=_(
            "How: `page` (the list's sign-up page), `snippet` (its form on another website), "
            "`api` (added by you, vouching for it); null: never recorded."
        ),
    )
    consent_url = _NullWhenBlankURL(
        read_only=True, allow_null=True, help_text=_("The page the sign-up came from, when the browser said.")
    )

    class Meta:
        model = Client
        fields = [
            "id",
            "email",
            "full_name",
            "comment",
            "lists",
            "consent_at",
            "consent_source",
            "consent_url",
            "consent_ip",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "lists",
            "consent_at",
            "consent_source",
            "consent_url",
            "consent_ip",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "consent_at": {"help_text": _("When the client last agreed to receive mail; null: never recorded.")},
            "consent_ip": {"help_text": _("The address the confirmation came from.")},
        }

    def validate_email(self, value):
        return self.refuse_taken(value)


def client_ids(**kwargs) -> IdListField:
    """Clients named by id in a request about many of them: at most 10,000."""
    kwargs.setdefault("help_text", _("Ids of your clients, at most 10,000."))
    return IdListField(max_length=10_000, label=_("Clients"), **kwargs)


class ClientsMatchingSerializer(StrictFieldsMixin, serializers.Serializer):
    """Clients chosen by a filter ("select all matching"), not by id: the
    server reads the filter against the owner's clients when it saves."""

    search = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        trim_whitespace=True,
        help_text=_("Clients whose email, name or comment contain this text (any case); empty: every client."),
    )
    list = id_field(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Only the clients on this list of yours (its id)."),
    )

    def validate_list(self, value):
        if value is None:
            return None
        found = lists_visible_to(self.context["request"].user).filter(pk=value).first()
        if found is None:
            raise serializers.ValidationError(_("Choose one of your own lists."))
        return found

    def validate(self, attrs):
        return ClientMatch(search=attrs.get("search", ""), client_list=attrs.get("list"))

    def run_validation(self, data=serializers.empty):
        try:
            return super().run_validation(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            # field → messages, as every 400 is (the schema's FieldErrors): "list: …"
            raise serializers.ValidationError(
                [
                    str(message) if key == api_settings.NON_FIELD_ERRORS_KEY else f"{key}: {message}"
                    for key, messages in exc.detail.items()
                    for message in (messages if isinstance(messages, list) else [messages])
                ]
            ) from None


def clients_matching_field(**kwargs) -> ClientsMatchingSerializer:
    return ClientsMatchingSerializer(
        required=False,
        allow_null=True,
        write_only=True,
        label=_("All matching"),
        style={"picker_part": True},
        help_text=_(
            "Also every one of your clients this filter finds (`search`, `list`), read when the request is saved: "
            "the union with `clients`, never a list of ids."
        ),
        **kwargs,
    )


class BulkAction(models.TextChoices):
    ADD_TO_LIST = "add_to_list", _("Add to a list")
    REMOVE_FROM_LIST = "remove_from_list", _("Take off a list")
    DELETE = "delete", _("Delete")


class ClientChoiceSerializer(StrictFieldsMixin, serializers.Serializer):
    """The clients a bulk request chooses: ids, or all the query's filters select."""

    clients = client_ids(required=False, help_text=_("Ids of your clients, at most 10,000; or `all_matching`."))
    all_matching = serializers.BooleanField(
        required=False,
        default=False,
        label=_("All matching"),
        help_text=_("Every client the query's filters (`search`, `list`) select, instead of `clients`."),
    )

    def validate(self, attrs):
        if not attrs.get("all_matching") and not attrs.get("clients"):
            raise serializers.ValidationError({"clients": [_("Choose at least one client, or all matching.")]})
        return attrs


class ClientBulkSerializer(ClientChoiceSerializer):
    action = serializers.ChoiceField(choices=BulkAction.choices, label=_("Action"))
    list = id_field(
        required=False,
        allow_null=True,
        label=_("List"),
        help_text=_("The list to add to or take off (its id)."),
    )

    def validate(self, attrs):
        errors = {}
        try:
            attrs = super().validate(attrs)
        except serializers.ValidationError as exc:
            errors.update(exc.detail)
        if attrs["action"] != BulkAction.DELETE and not attrs.get("list"):
            errors["list"] = [_("Choose the list.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ClientBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "email", "full_name"]
        read_only_fields = fields


class ClientBulkResultSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=BulkAction.choices)
    selected = serializers.IntegerField(help_text=_("Clients the request chose."))
    changed = serializers.IntegerField(help_text=_("Clients added, taken off or deleted."))
    refused = ClientBriefSerializer(
        many=True, help_text=_("Clients not deleted because a mailing lists them or keeps them in its history.")
    )


class RemovedFromMailingsSerializer(serializers.Serializer):
    mailings = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text=_("The mailings the client was taken off.")
    )
