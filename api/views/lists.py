from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from api.faces import FormFragmentsMixin
from api.filters import ListFilter
from api.forms import ClientPicker
from api.serializers import (
    ClientListSerializer,
    ListAddClientsSerializer,
    ListClientsResultSerializer,
    ListClientsSerializer,
    as_field_errors,
)
from api.views.base import OwnedObjectsMixin, ResourceViewSet
from core.models import ListMember
from core.selectors import clients_visible_to, lists_visible_to
from core.services.lists import list_add_clients, list_delete, list_remove_clients

CONFLICT = OpenApiResponse(description=_("A mailing is sent to the list; it was not deleted."))
MEMBERS_SHOWN = 50  # members listed in the detail panel; the clients page shows them all


def with_clients_count(queryset):
    members = (
        ListMember.objects.filter(client_list=OuterRef("pk")).order_by().values("client_list").annotate(n=Count("*"))
    )
    return queryset.annotate(clients_count=Coalesce(Subquery(members.values("n"), output_field=IntegerField()), 0))


@extend_schema_view(
    list=extend_schema(summary="List your lists", description="Search with `search` (name, description)."),
    retrieve=extend_schema(summary="One list"),
    create=extend_schema(
        summary="Make a list", description="The name must be unique among your lists (ignoring case)."
    ),
    update=extend_schema(summary="Change a list"),
    partial_update=extend_schema(summary="Change some fields of a list"),
    destroy=extend_schema(
        summary="Delete a list",
        description="Its clients stay. Refused (409) while a mailing is sent to the list.",
        responses={204: None, 409: CONFLICT},
    ),
)
@extend_schema(tags=["lists"])
class ListViewSet(
    OwnedObjectsMixin,
    FormFragmentsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ResourceViewSet,
):
    """Named groups of your clients. A mailing sent to a list reaches whoever is
    on it when each run is planned."""

    resource = "lists"
    serializer_class = ClientListSerializer
    filterset_class = ListFilter
    ordering_fields = ["name", "created_at", "clients_count", "id"]
    visible_to = staticmethod(lists_visible_to)
    fragment_templates = {"clients": "detail", "remove_clients": "detail"}

    def get_queryset(self):
        return with_clients_count(super().get_queryset())

    def perform_destroy(self, instance):
        list_delete(client_list=instance)

    def _change_members(self, request, change, toast, body_class=ListClientsSerializer):
        client_list = self.get_object()
        # A body (JSON or a form), else the query: htmx sends a DELETE's values there.
        source = request.data if request.data else request.query_params
        body = body_class(data=source, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        chosen = {"client_ids": body.validated_data.get("clients", [])}
        if body.validated_data.get("clients_matching") is not None:
            chosen["matching"] = body.validated_data["clients_matching"]
        try:
            changed = change(client_list=client_list, **chosen)
        except DjangoValidationError as exc:
            raise as_field_errors(exc) from None
        self.fragment_object = self.get_queryset().get(pk=client_list.pk)
        self.toast = toast(changed)
        count = self.fragment_object.clients_count
        return Response(ListClientsResultSerializer({"changed": changed, "clients_count": count}).data)

    @extend_schema(
        summary="Put clients on a list",
        description="`clients`: ids of your clients; `clients_matching`: every one of your clients a filter "
        "(`search`, `list`) finds, resolved by the server; both: their union. All or nothing: an id that is not "
        "one of your clients, or a list that is not yours, refuses the request (400) and changes nothing. "
        "Clients already on the list stay.",
        request=ListAddClientsSerializer,
        responses={200: ListClientsResultSerializer},
    )
    @action(detail=True, methods=["post"], url_path="clients")
    def clients(self, request, pk=None):
        return self._change_members(
            request,
            list_add_clients,
            lambda n: (
                ngettext("%(count)d client added to the list.", "%(count)d clients added to the list.", n)
                % {"count": n}
            ),
            body_class=ListAddClientsSerializer,
        )

    @extend_schema(
        summary="Take clients off a list",
        description="`clients`: ids of your clients, in the body or repeated in the query "
        "(`?clients=1&clients=2`). All or nothing, as adding. The clients stay; runs already planned "
        "keep them, later runs of mailings sent to the list do not.",
        request=ListClientsSerializer,
        parameters=[OpenApiParameter("clients", int, many=True, required=False, description=_("A client's id."))],
        responses={200: ListClientsResultSerializer},
    )
    @clients.mapping.delete
    def remove_clients(self, request, pk=None):
        return self._change_members(
            request,
            list_remove_clients,
            lambda n: (
                ngettext("%(count)d client taken off the list.", "%(count)d clients taken off the list.", n)
                % {"count": n}
            ),
        )

    def extra_fragment_context(self, name, data, response):
        client_list = self.fragment_object
        if name != "detail" or client_list is None:
            return {}
        members = clients_visible_to(self.request.user).filter(owner=client_list.owner_id)
        on_list = members.filter(list_memberships__client_list=client_list).order_by("email", "pk")
        others = lists_visible_to(self.request.user).filter(owner=client_list.owner_id).exclude(pk=client_list.pk)
        return {
            "members": on_list[:MEMBERS_SHOWN],
            # whom to add is searched for (the clients API), never listed: a list's owner may have 100,000 clients
            "picker_id": f"id_list_{client_list.pk}_clients",
            "picker": ClientPicker(name="clients", lists=[(str(other.pk), str(other)) for other in others]),
            "errors": [
                message
                for field in ("clients", "clients_matching", "non_field_errors")
                for message in (data.get(field, []) if response.status_code == 400 and isinstance(data, dict) else [])
            ],
        }
