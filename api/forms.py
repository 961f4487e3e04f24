"""HTML form fields built from a serializer, so a form fragment shows exactly the
fields, labels, choices and messages the API validates with."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import empty

from api.fields import LARGEST_ID


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
    picker: "ClientPicker | None" = None

    @property
    def id(self) -> str:
        return f"id_{self.name}"


CHIPS_MAX = 20  # chosen clients an edit form lists one by one; more are kept as a whole
KEPT_SHOWN = 5  # of those kept as a whole, the first few named


@dataclass
class ClientPicker:
    """What a client picker (templates/api/_client_picker.html) shows: the
    clients chosen one by one (`chips`: id, label), a filter chosen as a whole
    ("all matching": `search`, `list_id`, found `matching` clients), and the
    clients a mailing already has, kept as a whole (`kept`, the first named),
    never all of them: the form stays small whatever their number."""

    name: str
    chips: list[tuple[str, str]] = field(default_factory=list)
    search: str = ""
    list_id: str = ""
    list_name: str = ""
    matching: int | None = None  # None: no filter chosen
    kept: int = 0
    kept_first: list[str] = field(default_factory=list)
    lists: list[tuple[str, str]] = field(default_factory=list)  # the list filter's choices

    @property
    def matching_name(self) -> str:
        return f"{self.name}_matching"

    @property
    def keep_name(self) -> str:
        return f"keep_{self.name}"

    @property
    def total(self) -> int:
        return self.kept + (self.matching or 0) + len(self.chips)

    @property
    def parts(self) -> int:
        return sum(1 for part in (self.kept, self.matching is not None, self.chips) if part)


def _posted(values, name: str) -> list:
    if hasattr(values, "getlist"):
        return values.getlist(name)
    value = values.get(name)
    return value if isinstance(value, list) else []


def client_picker(f, name, *, instance=None, values=None, lists=None) -> ClientPicker:
    """The picker of the many-client field `f`, from what the user sent
    (`values`), else from the instance's clients."""
    clients = f.child_relation.get_queryset() if isinstance(f, serializers.ManyRelatedField) else f
    picker = ClientPicker(name=name, lists=[(str(item.pk), str(item)) for item in lists or ()])
    chosen = clients.none()
    if values is not None:
        ids = [int(v) for v in _posted(values, name) if str(v).isdigit() and 0 < int(v) <= LARGEST_ID]
        chosen = clients.filter(pk__in=ids)
        matching = values.get(picker.matching_name)
        if hasattr(values, "getlist") and any(key.startswith(f"{picker.matching_name}.") for key in values):
            matching = {key: values.get(f"{picker.matching_name}.{key}", "") for key in ("search", "list")}
        if isinstance(matching, dict):
            picker.search = str(matching.get("search") or "").strip()[:200]
            picker.list_id = str(matching.get("list") or "")
            found = clients.search(picker.search)
            if picker.list_id:
                names = dict(picker.lists)
                picker.list_name = names.get(picker.list_id, "")
                on_list = picker.list_id.isdigit() and picker.list_name
                found = found.on_list(picker.list_id) if on_list else found.none()
            picker.matching = found.count()
        keep = str(values.get(picker.keep_name, "")).lower() in {"true", "on", "1"}
        if keep and instance is not None:
            _keep(picker, getattr(instance, name))
    elif instance is not None:
        own = getattr(instance, name)
        if (count := _links(own).count()) > CHIPS_MAX:
            _keep(picker, own, count)
        else:
            chosen = own.all()
    picker.chips = [(str(client.pk), str(client)) for client in chosen.order_by("email", "pk")]
    return picker


def _links(related):
    """The link rows of a many-to-many manager (a mailing's clients): counted and
    paged on the link table's own index, not joined to 100,000 clients and sorted."""
    return related.through.objects.filter(**{related.source_field_name: related.instance})


def _keep(picker: ClientPicker, clients, count: int | None = None) -> None:
    links = _links(clients)
    picker.kept = links.count() if count is None else count
    target = f"{clients.target_field_name}_id"
    first = list(links.order_by(target).values_list(target, flat=True)[:KEPT_SHOWN])
    picker.kept_first = [str(client) for client in clients.model.objects.filter(pk__in=first).order_by("pk")]


def _kind(f) -> str:
    if f.style.get("picker"):
        return "picker"
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
        if f.read_only or f.style.get("picker_part"):  # a picker's parts are fields of its own form
            continue
        kind = _kind(f)
        if kind == "picker":
            lists = serializer.fields.get("lists")
            picker = client_picker(
                f,
                name,
                instance=serializer.instance,
                values=values,
                lists=lists.child_relation.get_queryset().order_by("name", "pk") if lists is not None else None,
            )
            messages = [str(e) for key in (name, picker.matching_name, picker.keep_name) for e in errors.get(key, [])]
            result.append(
                FormField(
                    name=name,
                    label=str(f.label or name),
                    kind=kind,
                    required=f.required,
                    help_text=str(f.help_text or ""),
                    errors=messages,
                    picker=picker,
                )
            )
            continue
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
    shown |= {name for f in fields if f.picker for name in (f.picker.matching_name, f.picker.keep_name)}
    messages = []
    for key, value in errors.items():
        if key in shown:
            continue
        items = value if isinstance(value, list) else [value]
        prefix = "" if key in {"non_field_errors", "detail"} else f"{key}: "
        messages.extend(f"{prefix}{item}" for item in items)
    return messages
