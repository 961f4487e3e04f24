from drf_spectacular.utils import extend_schema, extend_schema_view

from api.faces import ListMixin, RetrieveMixin
from api.filters import AttemptFilter
from api.list_cache import CachedListMixin
from api.serializers.attempts import AttemptSerializer
from api.views.base import ResourceViewSet
from core.models import Attempt
from core.selectors import attempts_visible_to


@extend_schema_view(
    list=extend_schema(
        summary="List send attempts",
        description="One row per recipient per run, with the mail server's answer. Filter by mailing, client, "
        "status and time ranges (`run_at_after`, `run_at_before`, `attempted_at_after`, `attempted_at_before`).",
    ),
    retrieve=extend_schema(summary="One send attempt"),
)
@extend_schema(tags=["attempts"])
class AttemptViewSet(CachedListMixin, ListMixin, RetrieveMixin, ResourceViewSet):
    """What happened to every send: read only."""

    resource = "attempts"
    url_basename = "attempt"
    serializer_class = AttemptSerializer
    filterset_class = AttemptFilter
    ordering_fields = ["run_at", "attempted_at", "status", "id"]

    # Rows and details show the mailing's id only, and of the client its email.
    COLUMNS = [*(field.name for field in Attempt._meta.concrete_fields if field.name != "lease_until"), "client__email"]

    @classmethod
    def listed(cls, request):
        return attempts_visible_to(request.user).select_related("client").only(*cls.COLUMNS)

    def get_queryset(self):
        return self.listed(self.request)
