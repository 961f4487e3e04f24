"""Mailings: a mailing's record and summary row, its progress, extra runs and resends."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from api.fields import AwareDateTimeField, StrictFieldsMixin
from api.serializers.clients import clients_matching_field
from api.serializers.common import LeanRowsMixin, _choice, _choices, _moment, _ScopedPrimaryKey, as_field_errors
from core.models import Mailing, MailingDisplayStatus
from core.selectors import clients_visible_to, lists_visible_to, messages_visible_to
from core.services.mailings import mailing_create, mailing_update, next_run_reach

NO_AUDIENCE = _("Choose at least one client or list.")


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


class SendNowSerializer(serializers.Serializer):
    run_at = serializers.DateTimeField(read_only=True, help_text=_("The time of the extra run just planned."))


class ResendFailedSerializer(StrictFieldsMixin, serializers.Serializer):
    run_at = AwareDateTimeField(
        required=False, allow_null=True, help_text=_("Only this run's failures; all runs when left out.")
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
