"""Field helpers and row writing that the resources' serializers share."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.fields import get_error_detail
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.settings import api_settings

TEXTAREA = {"base_template": "textarea.html"}


def as_field_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    """A core ValidationError (a dict for field errors) as a 400 body naming the fields."""
    return serializers.ValidationError(get_error_detail(exc))


def _choices(model, name) -> dict:
    """What DRF's ChoiceField writes for each stored value of a model field."""
    return {str(key): key for key, _label in model._meta.get_field(name).choices}


def _choice(choices: dict, value):
    return value if value in ("", None) else choices.get(str(value), value)


def _moment(value, zone):
    """An aware datetime as DRF's DateTimeField writes it: ISO 8601 in the current
    time zone, `Z` for UTC; None stays None."""
    if not value:
        return None
    text = (value.astimezone(zone) if value.tzinfo is not None else timezone.make_aware(value, zone)).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class LeanRowsMixin:
    """Read-only rows written straight from the instance by `row()`, without
    building DRF fields for every request and walking them for every row: a list
    page of 25 rows spent most of its serialising time there.

    Only a class that itself sets `lean_rows = True` takes this path (a subclass
    adding fields falls back to the generic one), and only for what the lean path
    writes exactly as DRF does: aware datetimes in ISO 8601. The tests compare
    `row()` with the generic DRF output field by field, in order."""

    lean_rows = False

    def to_representation(self, instance):
        if (
            type(self).__dict__.get("lean_rows")
            and settings.USE_TZ
            and str(api_settings.DATETIME_FORMAT).lower() == ISO_8601
        ):
            return self.row(instance, timezone.get_current_timezone())
        return super().to_representation(instance)

    def row(self, instance, zone) -> dict:
        raise NotImplementedError


class UniqueForOwnerMixin:
    """A field whose value an owner may give one of their objects only (a client's email, a
    list's name; ignoring case, as the database's constraint says): a value taken is refused with
    the other fields' errors, and one saved meanwhile, which the constraint refuses, with the same
    message. The serializer's `validate_<field>` returns `refuse_taken(value)`."""

    unique_field: str  # the field's name
    unique_refusal: str  # what the refusal says
    unique_taken: Callable[..., bool]  # core's check: `owner`, `exclude_pk` and the value named by the field

    def _owner(self):
        return self.instance.owner if self.instance else self.context["request"].user

    def refuse_taken(self, value):
        exclude_pk = getattr(self.instance, "pk", None)
        if self.unique_taken(owner=self._owner(), exclude_pk=exclude_pk, **{self.unique_field: value}):
            raise serializers.ValidationError(self.unique_refusal)
        return value

    def save(self, **kwargs):
        try:
            with transaction.atomic():
                return super().save(**kwargs)
        except IntegrityError:  # the same value saved meanwhile
            raise serializers.ValidationError({self.unique_field: [self.unique_refusal]}) from None


class _NullWhenBlank:
    """A stored text that may be empty, written as null when it is: a value of
    its kind or nothing (generated clients read an optional enum or URI)."""

    def to_representation(self, value):
        return super().to_representation(value) if value else None


class _NullWhenBlankChoice(_NullWhenBlank, serializers.ChoiceField):
    pass


class _NullWhenBlankURL(_NullWhenBlank, serializers.URLField):
    pass


class _Ids(serializers.ManyRelatedField):
    """The ids of a to-many relation read as ids, in the related model's
    order: a mailing of 100,000 clients is not 100,000 model instances."""

    def get_attribute(self, instance):
        return getattr(instance, self.source).values_list("pk", flat=True)

    def to_representation(self, iterable):
        return list(iterable)


class _ScopedPrimaryKey(serializers.PrimaryKeyRelatedField):
    """Offers only what the requesting user may see; the mailing services then
    check that it belongs to the mailing's owner."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        shared = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return _Ids(child_relation=cls(*args, **kwargs), **shared)

    def __init__(self, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(self.context["request"].user)

    def to_internal_value(self, data):
        if isinstance(data, bool | float) or (isinstance(data, int) and not -(2**63) <= data < 2**63):
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)
