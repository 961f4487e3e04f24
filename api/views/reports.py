from django_filters import utils as filter_utils
from drf_spectacular.utils import OpenApiTypes, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from api.faces import ListMixin, RetrieveMixin
from api.filters import ReportFilter
from api.list_cache import CachedListMixin, cached
from api.renderers import BOM_PARAMETER, CSVRenderer
from api.serializers.reports import DaySerializer, ReportDetailSerializer, ReportSerializer
from api.views.base import ResourceViewSet
from core.models import Mailing
from core.reports import (
    REPORT_FIGURES,
    add_report_figures,
    bring_up_to_date,
    daily_series_of,
    runs_of,
    with_report_figures,
)
from core.selectors import mailings_visible_to
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


def daily_figures(report_filter: ReportFilter, *, counted: bool = False) -> list[dict]:
    """Per-day figures summed over the mailings `report_filter` chooses, in its
    period; `counted` when this request has brought their runs up to date."""
    if not report_filter.is_valid():
        raise filter_utils.translate_validation(report_filter.errors)
    chosen = report_filter.qs
    if not counted:
        bring_up_to_date(chosen)
    since, until = report_filter.period_bounds
    return daily_series_of(chosen, since=since, until=until)


@extend_schema_view(
    list=extend_schema(summary="Report per mailing", description=PERIOD_DOC),
    retrieve=extend_schema(
        summary="Report of one mailing, with its runs and days", description=PERIOD_DOC, filters=True
    ),
)
@extend_schema(tags=["reports"])
class ReportViewSet(CachedListMixin, ListMixin, RetrieveMixin, ResourceViewSet):
    """Runs, planned and reached clients, sent, failed, pending and bounced sends, resends,
    success rate, first and last attempt — per mailing, per run and per day."""

    resource = "reports"
    url_basename = "report"
    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    ordering_fields = ["id", "runs", "planned", "reached", "sent", "failed", "pending", "last_attempt_at", "created_at"]
    ordering = ["-id"]
    csv_columns = ["mailing", "subject", "owner_email", "status", "runs", "planned", "reached", "sent", "failed"]
    csv_columns += ["pending", "skipped", "bounced", "resends", "requeued", "unsubscribed", "suppressed"]
    csv_columns += ["success_rate", "first_attempt_at", "last_attempt_at"]

    ROW_COLUMNS = ["id", "owner", "message", "status", "periodicity", "is_active", "owner__email", "message__subject"]

    @staticmethod
    def mailings(user):
        return mailings_visible_to(user).select_related("owner", "message")

    @classmethod
    def filter_of(cls, request) -> ReportFilter:
        """The request's filters over the mailings the reader may see: the period
        bounds every figure, the rest chooses the mailings. Made once per request
        (its list, its rows' figures and its chart each read it)."""
        report_filter = getattr(request, "_report_filter", None)
        if report_filter is None:
            report_filter = ReportFilter(request.query_params, queryset=cls.mailings(request.user), request=request)
            request._report_filter = report_filter
        return report_filter

    @classmethod
    def period_of(cls, request):
        """The request's period (since, until): it bounds every figure."""
        return cls.filter_of(request).period_bounds

    @classmethod
    def reports(cls, request, *, columns=None, figures=None):
        """The reader's mailings with their figures over the request's period,
        their runs counted first; `columns`: only these of each mailing; `figures`:
        only these figures (the others are added to a page's rows: `list_rows`)."""
        since, until = cls.period_of(request)
        mailings = cls.mailings(request.user)
        bring_up_to_date(mailings)
        if columns is not None:
            mailings = mailings.only(*columns)
        return with_report_figures(mailings, since=since, until=until, only=figures).order_by("-id")

    @classmethod
    def ordering_figures(cls, request) -> tuple[str, ...]:
        """The figures the request's list is ordered by: the rows are sorted by them
        in the database, before the page is cut."""
        asked = {term.lstrip("-") for term in OrderingFilter().get_ordering(request, None, cls) or ()}
        return tuple(name for name in REPORT_FIGURES if name in asked)

    @classmethod
    def listed(cls, request):
        # what a row shows, not the message body or the owner's account; a page's figures come in list_rows
        return cls.reports(request, columns=cls.ROW_COLUMNS, figures=cls.ordering_figures(request))

    @classmethod
    def list_rows(cls, request, rows):
        if rows is None:
            return rows
        since, until = cls.period_of(request)
        return add_report_figures(list(rows), since=since, until=until)

    @classmethod
    def list_context(cls, request, rows, filterset):
        # the page's chart comes with the table, in the same answer
        series = daily_figures(cls.filter_of(request), counted=True)
        return {"series": series, "days": DaySerializer(series, many=True).data}

    @classmethod
    def detail_context(cls, request, obj):
        tracked = obj.track_clicks or obj.track_opens or obj.tracked_links.exists()
        return {
            "tracking": mailing_tracking(obj, obj.report_runs) if tracked else None,
            "list_runs": [run for run in obj.report_runs if run.list_stats.all()],
        }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no period
            return self.mailings(self.request.user)
        if self.action == "list":
            return self.listed(self.request)
        columns = self.ROW_COLUMNS if self.action == "export" else None
        return self.reports(self.request, columns=columns)

    def paginate_queryset(self, queryset):
        return self.list_rows(self.request, super().paginate_queryset(queryset))

    def get_serializer_class(self):
        return ReportDetailSerializer if self.action == "retrieve" else ReportSerializer

    def get_object(self):
        report = super().get_object()
        since, until = self.period_of(self.request)
        report.report_runs = runs_of(report, since=since, until=until, by_list=True)
        report.report_days = daily_series_of(Mailing.objects.filter(pk=report.pk), since=since, until=until)
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
        series = daily_figures(self.filter_of(self.request))
        days = DaySerializer(series, many=True).data
        return self.answer(days, self.fragment("daily", series=series, days=days))

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
