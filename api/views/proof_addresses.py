"""An owner's test addresses (core.services.proof_addresses): list, add (the
confirmation link is emailed), delete, send the link again. Only one's own:
another user's address is 404 to everyone, admins included — they are part of
an account, like its API token. Our profile page gets the list fragment with
its add form (templates/api/test-addresses/)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from api.faces import ListMixin
from api.serializers.proof_addresses import TestAddressSentSerializer, TestAddressSerializer
from api.views.base import ResourceViewSet
from core.services.proof_addresses import (
    MAX_TEST_ADDRESSES,
    TestAddressRefused,
    test_address_delete,
    test_address_resend,
)

LINK_REFUSED = OpenApiResponse(
    description="Confirmed already, or (for an htmx request) a link went to it too recently."
)


@extend_schema_view(
    list=extend_schema(
        summary="List your test addresses",
        description=f"Addresses besides your own that your tests may go to (at most {MAX_TEST_ADDRESSES}); "
        "`is_verified` says whether its reader has confirmed it.",
    ),
    create=extend_schema(
        summary="Add a test address",
        description="A link is emailed to it; tests may go to it once it is confirmed from that link. "
        f"At most {MAX_TEST_ADDRESSES} (400 past that); not your own address, not one you have added already.",
    ),
    destroy=extend_schema(summary="Delete a test address", description="Tests no longer go to it."),
)
@extend_schema(tags=["test addresses"])
class TestAddressViewSet(ListMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, ResourceViewSet):
    """Addresses besides your own that tests of your messages may go to."""

    __test__ = False
    resource = "test-addresses"
    url_basename = "test-address"
    serializer_class = TestAddressSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [OrderingFilter]
    ordering_fields = ["email", "created_at", "id"]
    fragment_templates = {"resend": "row"}
    quiet_actions = frozenset({"resend"})  # the row answers for itself

    @classmethod
    def listed(cls, request):
        return request.user.test_addresses.all()

    @classmethod
    def list_context(cls, request, rows, filterset):
        return {"max_addresses": MAX_TEST_ADDRESSES}

    def get_queryset(self):
        return self.listed(self.request)

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        if self.html_face():
            address = response.data.serializer.instance
            toast = _("Added. %(address)s gets a link to confirm it.") % {"address": address.email}
            response.data = self.fragment("row", address, status=response.status_code, toast=toast)
        return response

    def perform_destroy(self, instance):
        test_address_delete(address=instance)

    @extend_schema(
        summary="Email the confirmation link again",
        description="202 when it is on its way. 400 when the address is confirmed already; past one link a "
        "minute (and five an hour) to an address, 429 with Retry-After.",
        request=None,
        responses={202: TestAddressSentSerializer, 400: LINK_REFUSED},
    )
    @action(detail=True, methods=["post"], url_path="resend")
    def resend(self, request, pk=None):
        address = self.get_object()
        try:
            test_address_resend(address=address)
        except TestAddressRefused as refused:
            if refused.retry_after is not None and not self.html_face():
                raise Throttled(wait=refused.retry_after, detail=refused.message) from None
            return Response({"detail": refused.message}, status=status.HTTP_400_BAD_REQUEST)
        toast = _("A new link was sent to %(address)s.") % {"address": address.email}
        data = TestAddressSentSerializer({"detail": str(toast)}).data
        return self.answer(data, self.fragment("row", address, data=data, status=status.HTTP_202_ACCEPTED, toast=toast))

    def fragment_context(self, name, obj, data, code):
        # a refused resend says why in its row
        return {"error": data.get("detail")} if code >= 400 and isinstance(data, dict) else {}
