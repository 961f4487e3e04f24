from functools import cached_property

from django_filters import utils as filter_utils
from drf_spectacular.utils import OpenApiTypes, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from api.filters import ReportFilter
from api.list_cache import CachedListMixin, cached
from api.renderers import BOM_PARAMETER, CSVRenderer
from api.serializers.reports import DaySerializer, ReportDetailSerializer, ReportSerializer
from api.views.base import ResourceViewSet
from core.models import ClientEvent
from core.reports import bring_up_to_date, daily_series, runs_of, success_rate, with_report_figures
from core.selectors import daily_stats_visible_to, mailings_visible_to
from core.services.tracking import mailing_tracking

PERIOD_DOC = (
    "`period_after` and `period_before` (dates, both included) bound the runs and days counted: a run "
    "belongs to its owner's date when it ran, an unsubscribe to its owner's date, a suppression to the day "
    "of the run whose bounce caused it — whatever the reader's time zone, so a manager's figures are the "
    "sum of the owners' own. `mailing`, `status` and `owner` (managers) choose the mailings. Figures are "
    "current: runs the statistics job has not counted yet are counted before answering. `success_rate` is "
    "clients reached (sent by a scheduled run or by a resend of it) out of clients planned by the scheduled "
    "runs; skipped clients are planned, not reached, and counted apart."
)


@extend_schema_view(
    list=extend_schema(summary="Report per mailing", description=PERIOD_DOC),
    retrieve=extend_schema(
        summary="Report of one mailing, with its runs and days", description=PERIOD_DOC, filters=True
    ),
)
@extend_schema(tags=["reports"])
class ReportViewSet(CachedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    """Runs, planned and reached clients, sent, failed, pending and bounced sends, resends,
    success rate, first and last attempt — per mailing, per run and per day."""

    resource = "reports"
    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    ordering_fields = ["id", "runs", "planned", "reached", "sent", "failed", "pending", "last_attempt_at", "created_at"]
    ordering = ["-id"]
    csv_columns = ["mailing", "subject", "owner_email", "status", "runs", "planned", "reached", "sent", "failed"]
    csv_columns += ["pending", "skipped", "bounced", "resends", "requeued", "unsubscribed", "suppressed"]
    csv_columns += ["success_rate", "first_attempt_at", "last_attempt_at"]

    ROW_COLUMNS = ["id", "owner", "message", "status", "periodicity", "is_active", "owner__email", "message__subject"]

    @cached_property
    def report_filter(self) -> ReportFilter:
        """The request's filters over the mailings the reader may see, read once: the period
        bounds every figure, the rest chooses the mailings of the per-day series."""
        return ReportFilter(self.request.query_params, queryset=self.mailings(), request=self.request)

    @property
    def period(self):
        return self.report_filter.period_bounds

    def mailings(self):
        return mailings_visible_to(self.request.user).select_related("owner", "message")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no period
            return self.mailings()
        since, until = self.period
        mailings = self.mailings()
        bring_up_to_date(mailings)
        if self.action in {"list", "export"}:  # what a row shows, not the message body or the owner's account
            mailings = mailings.only(*self.ROW_COLUMNS)
        return with_report_figures(mailings, since=since, until=until).order_by("-id")

    def get_serializer_class(self):
        return ReportDetailSerializer if self.action == "retrieve" else ReportSerializer

    def get_object(self):
        report = super().get_object()
        since, until = self.period
        report.report_runs = runs_of(report, since=since, until=until)
        days = daily_stats_visible_to(self.request.user).filter(mailing=report)
        events = ClientEvent.objects.filter(mailing=report)
        report.report_days = daily_series(days, events, since=since, until=until)
        return report

    @extend_schema(
        summary="Per-day series",
        description="Sent, failed, pending, skipped, unsubscribed and suppressed per day, summed over the "
        "mailings the filters choose. " + PERIOD_DOC,
        responses=DaySerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def daily(self, request):
        return cached(request, self, self._daily)

    def _daily(self):
        self.series = self._series()
        return Response(DaySerializer(self.series, many=True).data)

    def _series(self, *, counted: bool = False) -> list[dict]:
        """Per-day figures summed over the mailings the filters choose, in the
        period; `counted` when this request has brought their runs up to date."""
        request = self.request
        if not self.report_filter.is_valid():
            raise filter_utils.translate_validation(self.report_filter.errors)
        chosen = self.report_filter.qs
        if not counted:
            bring_up_to_date(chosen)
        days = daily_stats_visible_to(request.user).filter(mailing__in=chosen.values("pk"))
        events = ClientEvent.objects.filter(mailing__in=chosen.values("pk"))
        since, until = self.period
        return daily_series(days, events, since=since, until=until)

    @extend_schema(
        summary="Report per mailing as CSV",
        description="Exactly the rows the filters select, without pagination. " + PERIOD_DOC,
        responses={(200, "text/csv"): OpenApiTypes.STR},
        filters=True,
        parameters=[BOM_PARAMETER],
    )
    @action(detail=False, methods=["get"], renderer_classes=[CSVRenderer], pagination_class=None)
    def export(self, request):
        rows = ReportSerializer(self.filter_queryset(self.get_queryset()), many=True).data
        return Response(rows, headers={"Content-Disposition": 'attachment; filename="report.csv"'})

    def extra_fragment_context(self, name, data, response):
        if name == "daily":
            return {"series": self.series, "days": data}
        if name == "list":  # the page's chart comes with the table, in the same answer
            series = self._series(counted=True)
            return {"series": series, "days": DaySerializer(series, many=True).data}
        if name == "detail" and self.fragment_object is not None:
            report = self.fragment_object
            tracked = report.track_clicks or report.track_opens or report.tracked_links.exists()
            list_runs = [run for run in report.report_runs if run.list_stats.all()]
            return {
                "success_rate": success_rate(report.reached, report.planned),
                "tracking": mailing_tracking(report, report.report_runs) if tracked else None,
                "list_runs": list_runs,
            }
        return {}
