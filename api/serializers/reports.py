"""Reports: a mailing's figures, per run, per list of a run and per day."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.common import LeanRowsMixin, _choice, _choices, _moment
from api.serializers.mailings import _display_status
from core.models import Mailing, RunListStats, RunStats
from core.reports import success_rate

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
