"""HTML form fields built from a serializer, so a form fragment shows exactly the
fields, labels, choices and messages the API validates with."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import empty


@dataclass
class FormField:
    name: str
    label: str
    kind: str  # text, email, textarea, datetime-local, checkbox, select, select-multiple
    value: object = ""
    required: bool = False
    help_text: str = ""
    errors: list[str] = field(default_factory=list)
    choices: list[tuple[str, str, bool]] = field(default_factory=list)  # value, label, selected
    max_length: int | None = None

    @property
    def id(self) -> str:
        return f"id_{self.name}"


def _kind(f) -> str:
    if isinstance(f, serializers.ManyRelatedField):
        return "select-multiple"
    if isinstance(f, serializers.RelatedField | serializers.ChoiceField):
        return "select"
    if isinstance(f, serializers.BooleanField):
        return "checkbox"
    if isinstance(f, serializers.DateTimeField):
        return "datetime-local"
    if isinstance(f, serializers.EmailField):
        return "email"
    if f.style.get("base_template") == "textarea.html":
        return "textarea"
    return "text"


def _local(value) -> str:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
    return "" if value is None else str(value)


def _initial(f, name, instance, values):
    if values is not None:
        if isinstance(f, serializers.ManyRelatedField):
            return [str(v) for v in values.getlist(name)] if hasattr(values, "getlist") else values.get(name) or []
        raw = values.get(name, "")
        return raw if not isinstance(f, serializers.BooleanField) else str(raw).lower() in {"true", "on", "1"}
    if instance is not None:
        if isinstance(f, serializers.ManyRelatedField):
            return [str(pk) for pk in getattr(instance, name).values_list("pk", flat=True)]
        if isinstance(f, serializers.RelatedField):
            return str(getattr(instance, f"{f.source}_id", ""))
        return getattr(instance, f.source)
    default = f.default if f.default is not empty else f.initial
    return default() if callable(default) else default


def _choices(f, selected) -> list[tuple[str, str, bool]]:
    chosen = {str(v) for v in selected} if isinstance(selected, list) else {str(selected)}
    if isinstance(f, serializers.ManyRelatedField):
        f = f.child_relation
    if isinstance(f, serializers.RelatedField):
        pairs = [(str(obj.pk), str(obj)) for obj in f.get_queryset()]
    else:
        pairs = [(str(key), str(label)) for key, label in f.choices.items()]
    return [(key, label, key in chosen) for key, label in pairs]


def form_fields(serializer, *, values=None, errors=None) -> list[FormField]:
    """The writable fields of `serializer`, filled from `values` (what the user
    sent), else from the serializer's instance, else from the defaults."""
    errors = errors if isinstance(errors, dict) else {}
    if values is not None and not isinstance(values, Mapping):
        values = {}  # a JSON list or string: nothing of what was sent fits a field
    result = []
    for name, f in serializer.fields.items():
        if f.read_only:
            continue
        kind = _kind(f)
        value = _initial(f, name, serializer.instance, values)
        result.append(
            FormField(
                name=name,
                label=str(f.label or name),
                kind=kind,
                value=value if kind in {"checkbox", "select-multiple"} else _local(value),
                required=f.required,
                help_text=str(f.help_text or ""),
                errors=[str(e) for e in errors.get(name, [])],
                choices=_choices(f, value) if kind.startswith("select") else [],
                max_length=getattr(f, "max_length", None),
            )
        )
    return result


def other_errors(errors, fields: list[FormField]) -> list[str]:
    """Messages not tied to a shown field: `non_field_errors`, `detail`, and
    fields the form does not have (named, so the reader knows which)."""
    if isinstance(errors, list):
        return [str(e) for e in errors]
    if not isinstance(errors, dict):
        return []
    shown = {f.name for f in fields}
    messages = []
    for key, value in errors.items():
        if key in shown:
            continue
        items = value if isinstance(value, list) else [value]
        prefix = "" if key in {"non_field_errors", "detail"} else f"{key}: "
        messages.extend(f"{prefix}{item}" for item in items)
    return messages
