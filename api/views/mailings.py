from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from api.filters import MailingFilter
from api.list_cache import CachedListMixin
from api.renderers import FragmentRenderer
from api.serializers.mailings import (
    MailingListSerializer,
    MailingSerializer,
    ProgressSerializer,
    ResendFailedResultSerializer,
    ResendFailedSerializer,
    SendNowSerializer,
)
from api.serializers.tracking import MailingTrackingSerializer
from api.views.base import EditableViewSet
from api.views.proofs import SendTestMixin, send_test_schema
from core.dispatch.statistics import fresh_runs
from core.models import Attempt, AttemptStatus, ListMember, Mailing, MailingRecipient, MailingTarget
from core.progress import latest_run_progress
from core.reports import runs_of
from core.selectors import mailings_visible_to
from core.services.mailings import (
    mailing_resend_failed,
    mailing_send_now,
    mailing_set_active,
    next_run_reach,
    next_runs,
)
from core.services.tracking import mailing_tracking

WRITE_DOC = (
    "Times are ISO 8601 with an offset. The message, the clients and the lists must be the mailing owner's; "
    "at least one client or one list. Who is on the lists is read when each run is planned. "
    "`clients_matching` (`{search, list}`) chooses every one of the owner's clients the filter finds, read when "
    "the request is saved and stored among the mailing's clients: the union with `clients`. On a change, "
    "`clients` and `clients_matching` replace its clients (left out: they stay), or with `keep_clients` are added "
    "to them. "
    "`status`, `next_run_at` and `last_run_at` are kept by the scheduler."
)


def with_clients_count(queryset):
    recipients = (
        MailingRecipient.objects.filter(mailing=OuterRef("pk"))
        .order_by()
        .values("mailing")
        .annotate(n=Count("*"))
        .values("n")
    )
    targets = (
        MailingTarget.objects.filter(mailing=OuterRef("pk"))
        .order_by()
        .values("mailing")
        .annotate(n=Count("*"))
        .values("n")
    )
    return queryset.annotate(
        clients_count=Coalesce(Subquery(recipients, output_field=IntegerField()), 0),
        lists_count=Coalesce(Subquery(targets, output_field=IntegerField()), 0),
    )


def with_list_sizes(lists):
    members = ListMember.objects.filter(client_list=OuterRef("pk")).order_by().values("client_list")
    counted = members.annotate(n=Count("*")).values("n")
    return lists.annotate(clients_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0))


def shown_mailings(user, *, columns=None):
    """The mailings `user` may see, with what their rows and pages show: the
    owner, the message, how many clients and lists, whether any send failed;
    `columns`: only these of the mailing and its relations."""
    mailings = mailings_visible_to(user).select_related("owner", "message")
    if columns is not None:
        mailings = mailings.only(*columns)
    return with_failures(with_clients_count(mailings))


def with_failures(queryset):
    """`has_failures`: whether "Resend failed" has anything to resend."""
    failed = Attempt.objects.filter(mailing=OuterRef("pk"), status=AttemptStatus.FAILURE)
    return queryset.annotate(has_failures=Exists(failed))


@extend_schema_view(
    list=extend_schema(
        summary="List mailings",
        description="Your mailings; managers and admins see everyone's (and may filter by `owner`). "
        "`search` finds mailings by their message's subject.",
    ),
    retrieve=extend_schema(summary="One mailing, with its clients"),
    create=extend_schema(summary="Create a mailing", description=WRITE_DOC),
    update=extend_schema(summary="Change a mailing", description=WRITE_DOC),
    partial_update=extend_schema(summary="Change some fields of a mailing", description=WRITE_DOC),
    destroy=extend_schema(summary="Delete a mailing and its history"),
)
@extend_schema(tags=["mailings"])
class MailingViewSet(SendTestMixin, CachedListMixin, EditableViewSet):
    """One message sent to many clients, once or on a period. Managers may look
    at every mailing and enable or disable it, but change only their own."""

    resource = "mailings"
    url_basename = "mailing"
    serializer_class = MailingListSerializer
    write_serializer_class = MailingSerializer
    filterset_class = MailingFilter
    ordering_fields = ["id", "start_at", "next_run_at", "created_at", "status", "periodicity"]
    ordering = ["-id"]  # newest first, straight from the primary key index
    fragment_templates = {
        "send_now": "row",
        "enable": "row",
        "disable": "row",
        "resend_failed": "row",
        "send_test": "send_test",
    }
    UPCOMING = 5  # next runs listed on the detail page
    RUNS = 10  # latest runs listed on the detail page

    # A list row needs the mailing, its owner's email and its message's subject;
    # not the message body or the owner's account columns.
    LIST_COLUMNS = [*(field.name for field in Mailing._meta.concrete_fields), "owner__email", "message__subject"]

    @classmethod
    def listed(cls, request):
        return shown_mailings(request.user, columns=cls.LIST_COLUMNS)

    def get_queryset(self):
        return self.listed(self.request) if self.action == "list" else shown_mailings(self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return MailingSerializer
        return super().get_serializer_class()

    def _answer(self, mailing, toast, body=None):
        """The mailing's row with a toast for our pages; `body`, else the row's JSON, for API clients."""
        row = self.get_queryset().get(pk=mailing.pk)
        return self.answer(
            body if body is not None else MailingListSerializer(row).data, self.fragment("row", row, toast=toast)
        )

    @extend_schema(summary="Enable a mailing", request=None, responses=MailingListSerializer)
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        mailing = mailing_set_active(mailing=self.get_object(), active=True, by=request.user)
        return self._answer(mailing, _("Mailing enabled."))

    @extend_schema(
        summary="Disable a mailing",
        description="Nothing is sent while disabled; its pending sends wait for re-enabling.",
        request=None,
        responses=MailingListSerializer,
    )
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None):
        mailing = mailing_set_active(mailing=self.get_object(), active=False, by=request.user)
        return self._answer(mailing, _("Mailing disabled."))

    @extend_schema(
        summary="Send a mailing now",
        description="Plans an extra run at once, outside the schedule; the next dispatcher pass sends it.",
        request=None,
        responses=SendNowSerializer,
    )
    @action(detail=True, methods=["post"], url_path="send-now")
    def send_now(self, request, pk=None):
        mailing = self.get_object()
        run_at = mailing_send_now(mailing=mailing)
        return self._answer(mailing, _("Sending has been queued."), SendNowSerializer({"run_at": run_at}).data)

    @extend_schema(
        summary="Send a mailing's failures again",
        description="Queues the failed sends of one run (`run_at`) or of all runs again, as a resend run of "
        "their own: the failures stay in the history and reports. Clients who unsubscribed or whose address "
        "is suppressed are left out, and counted.",
        request=ResendFailedSerializer,
        responses={200: ResendFailedResultSerializer},
    )
    @action(detail=True, methods=["post"], url_path="resend-failed")
    def resend_failed(self, request, pk=None):
        mailing = self.get_object()
        options = ResendFailedSerializer(data=request.data, context=self.get_serializer_context())
        options.is_valid(raise_exception=True)
        resend = mailing_resend_failed(mailing=mailing, run_at=options.validated_data.get("run_at"))
        toast = _("%(count)d failed sends queued again as a resend run.") % {"count": resend.requeued}
        if resend.unsubscribed or resend.suppressed:
            toast += " " + _("Left out: %(unsubscribed)d unsubscribed, %(suppressed)d suppressed.") % {
                "unsubscribed": resend.unsubscribed,
                "suppressed": resend.suppressed,
            }
        return self._answer(mailing, toast, ResendFailedResultSerializer(resend).data)

    @extend_schema(
        summary="Progress of the latest run",
        description="Live counts of the mailing's most recent run, from its attempts: `running` stays true "
        "while sends are open (not tried yet, being sent, or waiting for a retry).",
        responses=ProgressSerializer,
    )
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        mailing = self.get_object()
        progress = latest_run_progress(mailing)
        # the bar polled until now: when the run has ended, the mailing's page reloads its figures
        events = {} if progress.running else {f"{self.resource}-changed": {}}
        fragment = self.fragment("progress", mailing, progress=progress, events=events)
        return self.answer(ProgressSerializer(progress).data, fragment)

    @extend_schema(exclude=True)
    @action(detail=True, methods=["get"], url_path="actions", renderer_classes=[FragmentRenderer])
    def actions(self, request, pk=None):
        """A list row's action menu, fetched when the row's menu is first opened:
        the rows carry only its button (the menus were most of a page's HTML)."""
        return Response(self.fragment("actions", self.get_object()))

    @extend_schema(
        summary="Clicks and opens of a mailing",
        description="Per run (the latest ten) and per link: recipients who clicked (each once per run and link), "
        "every click, the click rate (unique clickers ÷ sent) and the recipients who opened it — approximate: "
        "it counts the mail clients that loaded the invisible image of the HTML part. Only runs sent while "
        "`track_clicks` or `track_opens` was on have any; tests are never counted.",
        responses=MailingTrackingSerializer,
    )
    @action(detail=True, methods=["get"])
    def tracking(self, request, pk=None):
        mailing = self.get_object()
        tracking = mailing_tracking(mailing, fresh_runs(runs_of(mailing)[: self.RUNS]))
        return self.answer(
            MailingTrackingSerializer(tracking).data, self.fragment("tracking", mailing, tracking=tracking)
        )

    @send_test_schema("mailing's message")
    @action(detail=True, methods=["post"], url_path="send-test")
    def send_test(self, request, pk=None):
        mailing = self.get_object()
        return self._send_test(mailing.message, mailing.clients.all())

    @classmethod
    def detail_context(cls, request, obj):
        runs = fresh_runs(runs_of(obj)[: cls.RUNS])
        tracked = obj.track_clicks or obj.track_opens or obj.tracked_links.exists()
        return {
            "progress": latest_run_progress(obj),
            "upcoming": next_runs(obj, count=cls.UPCOMING),
            "runs": runs,
            "tracking": mailing_tracking(obj, runs) if tracked else None,
            "recipients": obj.clients.order_by("pk")[:20],
            "target_lists": with_list_sizes(obj.lists.order_by("name", "pk")),
            "reach": next_run_reach(obj),
        }
