"""Client imports from a CSV file: the upload and what it did (or would do)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from api.fields import StrictFieldsMixin, id_field


@extend_schema_serializer(component_name="ImportRowErrors")
class ImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text=_("Line number in the file (the header is line 1)."))
    errors = serializers.ListField(child=serializers.CharField())


class ImportRowSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    email = serializers.CharField()
    full_name = serializers.CharField()
    comment = serializers.CharField()
    errors = serializers.ListField(child=serializers.CharField())
    existing = serializers.IntegerField(
        allow_null=True, help_text=_("The id of your client with this email, whose name and comment the row updates.")
    )


class ImportResultSerializer(serializers.Serializer):
    saved = serializers.BooleanField(help_text=_("True when the clients were created."))
    count = serializers.IntegerField(help_text=_("Rows read from the file."))
    created = serializers.IntegerField(help_text=_("New clients (created, or to create in a preview)."))
    updated = serializers.IntegerField(help_text=_("Existing clients whose name and comment the file updates."))
    list = serializers.IntegerField(allow_null=True, help_text=_("The list the clients are put on (its id)."))
    listed = serializers.IntegerField(help_text=_("Clients put on the list that were not on it yet."))
    rows = ImportRowSerializer(many=True, help_text=_("Every row as read (preview only; empty otherwise)."))
    errors = ImportErrorSerializer(many=True)


class ImportUploadSerializer(StrictFieldsMixin, serializers.Serializer):
    file = serializers.FileField(help_text=_("CSV, UTF-8, header row email,full_name,comment."))
    preview = serializers.BooleanField(required=False, default=False, help_text=_("Check only, save nothing."))
    update_existing = serializers.BooleanField(
        required=False,
        default=False,
        label=_("Update existing clients"),
        help_text=_(
            "A row whose email (in any case) is already one of your clients updates that client's name and "
            "comment instead of being refused as a duplicate."
        ),
    )
    list = id_field(
        required=False,
        allow_null=True,
        label=_("List"),
        help_text=_("One of your lists (its id): every client the file names, created or updated, ends on it."),
    )
