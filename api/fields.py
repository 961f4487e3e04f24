"""Serializer building blocks shared by every resource: time-zone aware datetimes
and the refusal of fields a client invented."""

from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.utils import html

from core.validators import validate_in_service_years

# Sent by our own HTML forms; never a field of a resource.
FORM_HOUSEKEEPING = {"csrfmiddlewaretoken"}


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 datetime that must carry its offset (`2026-05-01T09:00:00+02:00`),
    within the years the service accepts (`core.validators`).

    Our HTML forms send `datetime-local` values without an offset; those are read
    in the user's time zone, which the view puts into the serializer context as
    `form_time_zone` for form-encoded requests only.
    """

    default_validators = [validate_in_service_years]
    default_error_messages = {
        "invalid": _("Enter a date and time in ISO 8601 format, e.g. 2026-05-01T09:00:00+02:00."),
        "naive": _("Include a time zone offset, e.g. 2026-05-01T09:00:00+02:00 or …Z for UTC."),
    }

    def to_internal_value(self, value):
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except (ValueError, OverflowError):
                parsed = None
        else:
            parsed = None
        if parsed is None:
            self.fail("invalid")
        if timezone.is_naive(parsed):
            form_time_zone = self.context.get("form_time_zone")
            if form_time_zone is None:
                self.fail("naive")
            parsed = timezone.make_aware(parsed, form_time_zone)
        try:
            return parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            self.fail("invalid")


class StrictFieldsMixin:
    """Reject input keys that are not writable fields of the serializer, naming them."""

    def to_internal_value(self, data):
        unknown = []
        if hasattr(data, "keys"):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            keys = set(data.keys())
            if html.is_html_input(data):  # a form names a nested object's fields `object.field`
                nested = {name for name in writable if isinstance(self.fields[name], serializers.BaseSerializer)}
                keys = {key.split(".", 1)[0] if key.split(".", 1)[0] in nested else key for key in keys}
            unknown = sorted(keys - writable - FORM_HOUSEKEEPING)
        errors = {name: [_("Unknown field; it cannot be set here.")] for name in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not errors or not isinstance(exc.detail, dict):
                raise
            raise serializers.ValidationError({**exc.detail, **errors}) from None
        if errors:
            raise serializers.ValidationError(errors)
        return value


LARGEST_ID = 2**63 - 1  # the largest id the database stores (a 64-bit integer)


def id_field(**kwargs) -> serializers.IntegerField:
    """One object named by its id: a whole number from 1 to `LARGEST_ID`."""
    return serializers.IntegerField(min_value=1, max_value=LARGEST_ID, **kwargs)


class IdListField(serializers.ListField):
    """A list of whole-number ids whose errors are a flat list of messages (the
    schema's `FieldErrors`), each naming the position of the bad item."""

    child = id_field()

    def run_child_validation(self, data):
        result, errors = [], []
        for index, item in enumerate(data):
            try:
                result.append(self.child.run_validation(item))
            except serializers.ValidationError as exc:
                messages = exc.detail if isinstance(exc.detail, list) else [exc.detail]
                errors.extend(
                    _("Item %(number)d: %(message)s") % {"number": index + 1, "message": message}
                    for message in messages
                )
        if errors:
            raise serializers.ValidationError(errors)
        return result
