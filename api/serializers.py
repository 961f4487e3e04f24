"""Serializers parse and present; the rules live in core services and selectors."""

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import ISO_8601, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import get_error_detail
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.settings import api_settings

from api.fields import AwareDateTimeField, IdListField, StrictFieldsMixin
from core import roles
from core.models import (
    Attempt,
    Client,
    ClientList,
    ClientMatch,
    ConsentSource,
    Mailing,
    MailingDisplayStatus,
    Message,
    MessageFormat,
    RunListStats,
    RunStats,
    TestAddress,
    User,
)
from core.models.clients import DUPLICATE_EMAIL, client_email_taken
from core.models.lists import DUPLICATE_LIST_NAME, list_name_taken
from core.placeholders import validate_placeholders
from core.reports import success_rate
from core.selectors import clients_visible_to, lists_visible_to, messages_visible_to
from core.services.mailings import mailing_create, mailing_update, next_run_reach
from core.services.proof_addresses import test_address_add
from core.services.signup import signup_page_url
from core.validators import validate_not_blank, validate_single_line

TEXTAREA = {"base_template": "textarea.html"}
NO_AUDIENCE = _("Choose at least one client or list.")


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


class _NullWhenBlank:
    """A stored text that may be empty, written as null when it is: a value of
    its kind or nothing (generated clients read an optional enum or URI)."""

    def to_representation(self, value):
        return super().to_representation(value) if value else None


class _NullWhenBlankChoice(_NullWhenBlank, serializers.ChoiceField):
    pass


class _NullWhenBlankURL(_NullWhenBlank, serializers.URLField):
    pass


@extend_schema_serializer(component_name="ClientRecord")
class ClientSerializer(StrictFieldsMixin, serializers.ModelSerializer):
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

    def _owner(self):
        return self.instance.owner if self.instance else self.context["request"].user

    def validate_email(self, value):
        if client_email_taken(owner=self._owner(), email=value, exclude_pk=getattr(self.instance, "pk", None)):
            raise serializers.ValidationError(DUPLICATE_EMAIL)
        return value

    def save(self, **kwargs):
        try:
            with transaction.atomic():
                return super().save(**kwargs)
        except IntegrityError:  # the same email saved meanwhile
            raise serializers.ValidationError({"email": [DUPLICATE_EMAIL]}) from None


class ClientListSerializer(StrictFieldsMixin, serializers.ModelSerializer):
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

    def _owner(self):
        return self.instance.owner if self.instance else self.context["request"].user

    def validate_name(self, value):
        if list_name_taken(owner=self._owner(), name=value, exclude_pk=getattr(self.instance, "pk", None)):
            raise serializers.ValidationError(DUPLICATE_LIST_NAME)
        return value

    def save(self, **kwargs):
        try:
            with transaction.atomic():
                return super().save(**kwargs)
        except IntegrityError:  # the same name saved meanwhile
            raise serializers.ValidationError({"name": [DUPLICATE_LIST_NAME]}) from None

    def to_representation(self, instance):
        if not hasattr(instance, "clients_count"):
            instance.clients_count = instance.members.count()
        return super().to_representation(instance)


def client_ids(**kwargs) -> IdListField:
    """Clients named by id in a request about many of them: at most 10,000."""
    kwargs.setdefault("help_text", _("Ids of your clients, at most 10,000."))
    return IdListField(max_length=10_000, label=_("Clients"), **kwargs)


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
    list = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**63 - 1,
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
    list = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
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
    client = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


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


def _display_status() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=MailingDisplayStatus.choices,
        source="display_status",
        read_only=True,
        help_text=_("Set by the scheduler; “disabled” while the mailing is disabled (is_active false)."),
    )


@extend_schema_serializer(component_name="MailingSummary")
class MailingListSerializer(LeanRowsMixin, serializers.ModelSerializer):
    lean_rows = True
    status = _display_status()
    owner_email = serializers.EmailField(source="owner.email", read_only=True)
    message_subject = serializers.CharField(source="message.subject", read_only=True)
    clients_count = serializers.IntegerField(read_only=True, help_text=_("Its own clients (lists not included)."))
    lists_count = serializers.IntegerField(read_only=True, help_text=_("Lists it is sent to."))

    class Meta:
        model = Mailing
        fields = [
            "id",
            "owner",
            "owner_email",
            "message",
            "message_subject",
            "clients_count",
            "lists_count",
            "start_at",
            "end_at",
            "periodicity",
            "status",
            "is_active",
            "next_run_at",
            "last_run_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    _periodicity = _choices(Mailing, "periodicity")

    def row(self, mailing, zone):
        return {
            "id": mailing.pk,
            "owner": mailing.owner_id,
            "owner_email": mailing.owner.email,
            "message": mailing.message_id,
            "message_subject": mailing.message.subject,
            "clients_count": int(mailing.clients_count),
            "lists_count": int(mailing.lists_count),
            "start_at": _moment(mailing.start_at, zone),
            "end_at": _moment(mailing.end_at, zone),
            "periodicity": _choice(self._periodicity, mailing.periodicity),
            "status": mailing.display_status.value,
            "is_active": bool(mailing.is_active),
            "next_run_at": _moment(mailing.next_run_at, zone),
            "last_run_at": _moment(mailing.last_run_at, zone),
            "created_at": _moment(mailing.created_at, zone),
            "updated_at": _moment(mailing.updated_at, zone),
        }


@extend_schema_serializer(component_name="Mailing")  # not its parent's name
class MailingSerializer(StrictFieldsMixin, MailingListSerializer):
    """Create and change a mailing through the mailing services."""

    message = _ScopedPrimaryKey(messages_visible_to, label=_("Message"))
    clients = _ScopedPrimaryKey(
        clients_visible_to,
        many=True,
        required=False,
        allow_empty=True,
        label=_("Clients"),
        help_text=_("Clients it is sent to, besides those on its lists."),
        style={"picker": True},
    )
    clients_matching = clients_matching_field()
    keep_clients = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        label=_("Keep its clients"),
        style={"picker_part": True},
        help_text=_(
            "On a change: add `clients` and `clients_matching` to the mailing's clients instead of replacing them."
        ),
    )
    lists = _ScopedPrimaryKey(
        lists_visible_to,
        many=True,
        required=False,
        allow_empty=True,
        label=_("Lists"),
        help_text=_("Each run goes to whoever is on these lists when it is planned."),
    )
    start_at = AwareDateTimeField(label=_("First send at"))
    end_at = AwareDateTimeField(label=_("End at"), required=False, allow_null=True)
    is_active = serializers.BooleanField(label=_("Enabled"), required=False, initial=True)
    track_clicks = serializers.BooleanField(
        label=_("Track clicks"),
        required=False,
        initial=False,
        help_text=_(
            "Links in this mailing are tracked: we record who clicks which link. Each link leads through "
            "this site to its address; the unsubscribe link is never tracked."
        ),
    )
    track_opens = serializers.BooleanField(
        label=_("Track opens"),
        required=False,
        initial=False,
        help_text=_(
            "Opens are tracked with an invisible image; approximate: mail clients that block images never "
            "count, some load them without anyone reading. Plain-text messages have no image, so their opens "
            "are not tracked."
        ),
    )
    next_run_reach = serializers.SerializerMethodField(
        help_text=_(
            "Clients a run planned now would send to: its own clients and those on its lists, each once, "
            "without the unsubscribed or suppressed ones (they are recorded as skipped)."
        )
    )

    class Meta(MailingListSerializer.Meta):
        fields = [
            *MailingListSerializer.Meta.fields,
            "next_run_reach",
            "clients",
            "clients_matching",
            "keep_clients",
            "lists",
            "track_clicks",
            "track_opens",
        ]
        read_only_fields = [
            "id",
            "owner",
            "owner_email",
            "message_subject",
            "clients_count",
            "lists_count",
            "next_run_reach",
            "status",
            "next_run_at",
            "last_run_at",
            "created_at",
            "updated_at",
        ]

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # Said with the other fields' messages, not only once they are right (the service says it then).
            if (
                self.instance is None
                and isinstance(data, Mapping)
                and isinstance(exc.detail, dict)
                and "clients" not in exc.detail
            ):
                chosen = [data.getlist(n) if hasattr(data, "getlist") else data.get(n) for n in ("clients", "lists")]
                chosen += [data.get("clients_matching"), any(key.startswith("clients_matching.") for key in data)]
                if not any(chosen):
                    exc.detail["clients"] = [ErrorDetail(str(NO_AUDIENCE), code="no_audience")]
            raise

    def validate(self, attrs):
        """Sent to some clients, some lists or both, once the change is made."""
        chosen = {name: attrs.get(name) for name in ("clients", "lists")}
        if attrs.get("clients_matching") is not None:
            chosen["clients"] = True  # the service says so if the filter finds nobody
        if self.instance is not None:
            if chosen["clients"] is None or (attrs.get("keep_clients") and not chosen["clients"]):
                chosen["clients"] = self.instance.recipients.exists()
            if chosen["lists"] is None:
                chosen["lists"] = self.instance.targets.exists()
        if not any(chosen.values()):
            raise serializers.ValidationError({"clients": [NO_AUDIENCE]}, code="no_audience")
        return attrs

    def create(self, validated_data):
        try:
            validated_data.pop("keep_clients", None)  # a new mailing has none to keep
            return mailing_create(owner=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise as_field_errors(exc) from None

    def update(self, instance, validated_data):
        try:
            mailing = mailing_update(mailing=instance, **validated_data)
        except DjangoValidationError as exc:
            raise as_field_errors(exc) from None
        for counted in ("clients_count", "lists_count"):  # counted before the change
            mailing.__dict__.pop(counted, None)
        return mailing

    def to_representation(self, instance):
        if not hasattr(instance, "clients_count"):
            instance.clients_count = instance.recipients.count()
        if not hasattr(instance, "lists_count"):
            instance.lists_count = instance.targets.count()
        return super().to_representation(instance)

    @extend_schema_field(serializers.IntegerField())
    def get_next_run_reach(self, mailing) -> int:
        return next_run_reach(mailing).reachable


class RemovedFromMailingsSerializer(serializers.Serializer):
    mailings = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text=_("The mailings the client was taken off.")
    )


class SendNowSerializer(serializers.Serializer):
    run_at = serializers.DateTimeField(read_only=True, help_text=_("The time of the extra run just planned."))


class ResendFailedSerializer(StrictFieldsMixin, serializers.Serializer):
    run_at = AwareDateTimeField(
        required=False, allow_null=True, help_text=_("Only this run's failures; all runs when left out.")
    )


class BlockSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text=_("Shown to the user when their log-in is refused, and in the users list."),
    )


class ResendFailedResultSerializer(serializers.Serializer):
    run_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("The resend run; null when nothing was queued.")
    )
    requeued = serializers.IntegerField(read_only=True, help_text=_("How many failed clients were queued again."))
    unsubscribed = serializers.IntegerField(
        read_only=True, help_text=_("Failed clients left out because they have unsubscribed.")
    )
    suppressed = serializers.IntegerField(
        read_only=True, help_text=_("Failed clients left out because their address is suppressed.")
    )


class ProgressSerializer(serializers.Serializer):
    run_at = serializers.DateTimeField(allow_null=True, help_text=_("The latest run; null when it never ran."))
    planned = serializers.IntegerField(help_text=_("Recipients of the run."))
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    skipped = serializers.IntegerField(help_text=_("Unsubscribed or suppressed clients, not sent to."))
    pending = serializers.IntegerField(help_text=_("Not tried yet, being sent or waiting for a retry."))
    percent = serializers.FloatField(help_text=_("Done (sent, failed or skipped) out of planned, 0 to 100."))
    due = serializers.BooleanField(help_text=_("The next run's time has come; the dispatcher has not planned it yet."))
    running = serializers.BooleanField(help_text=_("True while sends of the run are open or a run is due."))


class AttemptSerializer(LeanRowsMixin, serializers.ModelSerializer):
    lean_rows = True
    client_email = serializers.EmailField(source="client.email", read_only=True)

    class Meta:
        model = Attempt
        fields = [
            "id",
            "mailing",
            "client",
            "client_email",
            "run_at",
            "status",
            "tries",
            "attempted_at",
            "next_try_at",
            "smtp_code",
            "server_response",
            "bounced_at",
            "bounce_status",
            "bounce_diagnostic",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "bounced_at": {
                "help_text": _(
                    "When a delivery-status notification said that the message, accepted by the mail server, "
                    "could not be delivered after all; null if none came. Reports count the attempt as bounced."
                )
            },
            "bounce_status": {"help_text": _("The bounce's status code (RFC 3463), such as 5.1.1; empty if none.")},
            "bounce_diagnostic": {"help_text": _("What the receiving mail server said, as the bounce reports it.")},
        }

    _status = _choices(Attempt, "status")

    def row(self, attempt, zone):
        return {
            "id": attempt.pk,
            "mailing": attempt.mailing_id,
            "client": attempt.client_id,
            "client_email": attempt.client.email,
            "run_at": _moment(attempt.run_at, zone),
            "status": _choice(self._status, attempt.status),
            "tries": int(attempt.tries),
            "attempted_at": _moment(attempt.attempted_at, zone),
            "next_try_at": _moment(attempt.next_try_at, zone),
            "smtp_code": None if attempt.smtp_code is None else int(attempt.smtp_code),
            "server_response": str(attempt.server_response),
            "bounced_at": _moment(attempt.bounced_at, zone),
            "bounce_status": str(attempt.bounce_status),
            "bounce_diagnostic": str(attempt.bounce_diagnostic),
        }


SUCCESS_RATE_HELP = _(
    "Clients reached (sent by a run or by a resend of it) out of clients planned, in percent; "
    "skipped clients count as planned and not reached."
)


class _FiguresSerializer(LeanRowsMixin, serializers.Serializer):
    runs = serializers.IntegerField(read_only=True, help_text=_("Scheduled runs (resends not included)."))
    planned = serializers.IntegerField(read_only=True, help_text=_("Clients planned by the scheduled runs."))
    reached = serializers.IntegerField(
        read_only=True, help_text=_("Clients of the scheduled runs reached, first time or by a resend.")
    )
    sent = serializers.IntegerField(read_only=True, help_text=_("Every send that succeeded, resends included."))
    failed = serializers.IntegerField(read_only=True, help_text=_("Every send that failed, resends included."))
    pending = serializers.IntegerField(read_only=True)
    skipped = serializers.IntegerField(read_only=True, help_text=_("Unsubscribed or suppressed clients, not sent to."))
    bounced = serializers.IntegerField(
        read_only=True, help_text=_("Sends the mail server accepted that a later bounce reported undeliverable.")
    )
    resends = serializers.IntegerField(read_only=True, help_text=_("Resend runs (failures sent again)."))
    requeued = serializers.IntegerField(read_only=True, help_text=_("Clients the resend runs sent again."))
    unsubscribed = serializers.IntegerField(read_only=True, help_text=_("Clients who unsubscribed through it."))
    suppressed = serializers.IntegerField(read_only=True, help_text=_("Addresses it found dead (suppressed)."))
    success_rate = serializers.SerializerMethodField(help_text=SUCCESS_RATE_HELP)
    first_attempt_at = serializers.DateTimeField(read_only=True, allow_null=True)
    last_attempt_at = serializers.DateTimeField(read_only=True, allow_null=True)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_success_rate(self, obj) -> float | None:
        return success_rate(obj.reached, obj.planned)


class ReportSerializer(_FiguresSerializer):
    mailing = serializers.IntegerField(source="id", read_only=True)
    subject = serializers.CharField(source="message.subject", read_only=True)
    owner = serializers.IntegerField(source="owner_id", read_only=True)
    owner_email = serializers.EmailField(source="owner.email", read_only=True)
    status = _display_status()
    periodicity = serializers.ChoiceField(choices=Mailing._meta.get_field("periodicity").choices, read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    lean_rows = True
    _periodicity = _choices(Mailing, "periodicity")

    def row(self, report, zone):
        return {
            "runs": int(report.runs),
            "planned": int(report.planned),
            "reached": int(report.reached),
            "sent": int(report.sent),
            "failed": int(report.failed),
            "pending": int(report.pending),
            "skipped": int(report.skipped),
            "bounced": int(report.bounced),
            "resends": int(report.resends),
            "requeued": int(report.requeued),
            "unsubscribed": int(report.unsubscribed),
            "suppressed": int(report.suppressed),
            "success_rate": success_rate(report.reached, report.planned),
            "first_attempt_at": _moment(report.first_attempt_at, zone),
            "last_attempt_at": _moment(report.last_attempt_at, zone),
            "mailing": report.pk,
            "subject": report.message.subject,
            "owner": report.owner_id,
            "owner_email": report.owner.email,
            "status": report.display_status.value,
            "periodicity": _choice(self._periodicity, report.periodicity),
            "is_active": bool(report.is_active),
        }


class RunListReportSerializer(serializers.ModelSerializer):
    list = serializers.IntegerField(source="client_list_id", read_only=True, help_text=_("The list (its id)."))
    name = serializers.CharField(source="client_list.name", read_only=True, help_text=_("The list's name now."))

    class Meta:
        model = RunListStats
        fields = ["list", "name", "planned", "reached", "sent", "failed", "pending", "skipped"]
        read_only_fields = fields
        extra_kwargs = {
            "planned": {"help_text": _("The run's clients the list held when the run was planned.")},
            "reached": {"help_text": _("Of them, reached: sent by the run or by a resend of it.")},
            "skipped": {"help_text": _("Of them, unsubscribed or suppressed, not sent to.")},
        }


class RunReportSerializer(serializers.ModelSerializer):
    success_rate = serializers.SerializerMethodField(help_text=SUCCESS_RATE_HELP)
    lists = RunListReportSerializer(
        many=True,
        read_only=True,
        source="list_stats",
        help_text=_(
            "Per list the mailing targeted: its clients in this run, as the list was when the run was planned. "
            "A client on two of the lists counts in both (and got one message). Empty for a resend run."
        ),
    )

    class Meta:
        model = RunStats
        fields = ["run_at", "day", "is_resend", "planned", "reached", "sent", "failed", "pending", "skipped"]
        fields += ["bounced", "success_rate", "first_attempt_at", "last_attempt_at", "lists"]
        read_only_fields = fields
        extra_kwargs = {
            "sent": {"help_text": _("Sends the mail server accepted, without those that bounced later.")},
            "bounced": {"help_text": _("Sends the mail server accepted that a later bounce reported undeliverable.")},
        }

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_success_rate(self, obj) -> float | None:
        return success_rate(obj.reached, obj.planned)


class DaySerializer(serializers.Serializer):
    date = serializers.DateField(read_only=True)
    sent = serializers.IntegerField(read_only=True)
    failed = serializers.IntegerField(read_only=True)
    pending = serializers.IntegerField(read_only=True)
    skipped = serializers.IntegerField(read_only=True)
    unsubscribed = serializers.IntegerField(read_only=True)
    suppressed = serializers.IntegerField(read_only=True)


class ReportDetailSerializer(ReportSerializer):
    run_list = RunReportSerializer(many=True, read_only=True, source="report_runs")
    days = DaySerializer(many=True, read_only=True, source="report_days")


class UserSerializer(serializers.ModelSerializer):
    mailings_count = serializers.IntegerField(read_only=True)
    active_mailings_count = serializers.IntegerField(read_only=True, help_text=_("Of them, enabled."))
    is_manager = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "is_active", "block_reason", "is_manager", "is_superuser", "date_joined"]
        fields += ["mailings_count", "active_mailings_count"]
        read_only_fields = fields

    def get_is_manager(self, obj) -> bool:
        return roles.role_of(obj) == roles.MANAGER


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
    list = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
        label=_("List"),
        help_text=_("One of your lists (its id): every client the file names, created or updated, ends on it."),
    )


class TestSendSerializer(StrictFieldsMixin, serializers.Serializer):
    """What a test is rendered for; `context["clients"]`: the clients it may be rendered for."""

    __test__ = False

    client = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
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


class LinkFiguresSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text=_("The link's number in the mailing (the order it was first sent)."))
    url = serializers.CharField(help_text=_("The address the link leads to."))
    unique_clicks = serializers.IntegerField(help_text=_("Recipients who followed it, each counted once."))
    clicks = serializers.IntegerField(help_text=_("Every time it was followed."))
    click_rate = serializers.FloatField(
        allow_null=True, help_text=_("Unique clicks ÷ sent, in per cent; null when nothing was sent.")
    )


class RunTrackingSerializer(serializers.Serializer):
    run_at = serializers.DateTimeField()
    is_resend = serializers.BooleanField()
    sent = serializers.IntegerField(help_text=_("Messages sent in the run."))
    clickers = serializers.IntegerField(help_text=_("Recipients who followed at least one link."))
    clicks = serializers.IntegerField(help_text=_("Every click on any link."))
    click_rate = serializers.FloatField(
        allow_null=True, help_text=_("Clickers ÷ sent, in per cent; null when nothing was sent.")
    )
    opened = serializers.IntegerField(help_text=_("Recipients whose mail client loaded the image (approximate)."))
    opens = serializers.IntegerField(help_text=_("Every time the image was loaded."))
    links = LinkFiguresSerializer(many=True, help_text=_("The links clicked in this run."))


class MailingTrackingSerializer(serializers.Serializer):
    track_clicks = serializers.BooleanField()
    track_opens = serializers.BooleanField()
    sent = serializers.IntegerField(help_text=_("Messages sent in the runs below."))
    clickers = serializers.IntegerField(help_text=_("Recipients who followed at least one link, per run, summed."))
    click_rate = serializers.FloatField(allow_null=True, help_text=_("Clickers ÷ sent, in per cent."))
    opened = serializers.IntegerField(help_text=_("Recipients who opened it, per run, summed (approximate)."))
    runs = RunTrackingSerializer(many=True, help_text=_("The latest runs, newest first."))
    links = LinkFiguresSerializer(many=True, help_text=_("Every tracked link, over those runs."))


class ClientClickSerializer(serializers.Serializer):
    mailing = serializers.IntegerField()
    subject = serializers.CharField(help_text=_("The subject of the mailing's message."))
    run_at = serializers.DateTimeField()
    url = serializers.CharField(help_text=_("The address of the link."))
    clicks = serializers.IntegerField(help_text=_("How often the client followed it."))
    first_at = serializers.DateTimeField()
    last_at = serializers.DateTimeField()


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
