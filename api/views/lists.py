from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.response import Response

from api.filters import ListFilter
from api.forms import ClientPicker
from api.serializers.common import as_field_errors
from api.serializers.lists import (
    ClientListSerializer,
    ListAddClientsSerializer,
    ListClientsResultSerializer,
    ListClientsSerializer,
    SubscriberResultSerializer,
    SubscriberSerializer,
)
from api.views.base import OwnedResourceViewSet
from core.models import ConsentSource, ListMember
from core.selectors import clients_visible_to, lists_visible_to
from core.services.lists import list_add_clients, list_delete, list_remove_clients
from core.services.signup import (
    SIGNUP_HONEYPOT,
    SignupRefused,
    list_subscribe,
    signup_address_renew,
    signup_page_url,
    signup_request,
)

CONFLICT = OpenApiResponse(description=_("A mailing is sent to the list; it was not deleted."))
MEMBERS_SHOWN = 50  # members listed in the detail panel; the clients page shows them all


def added_to_list(count: int) -> str:
    return ngettext("%(count)d client added to the list.", "%(count)d clients added to the list.", count) % {
        "count": count
    }


def taken_off_list(count: int) -> str:
    return ngettext("%(count)d client taken off the list.", "%(count)d clients taken off the list.", count) % {
        "count": count
    }


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
class ListViewSet(OwnedResourceViewSet):
    """Named groups of your clients. A mailing sent to a list reaches whoever is
    on it when each run is planned."""

    resource = "lists"
    url_basename = "list"
    serializer_class = ClientListSerializer
    filterset_class = ListFilter
    ordering_fields = ["name", "created_at", "clients_count", "id"]
    visible_to = staticmethod(lists_visible_to)
    fragment_templates = {
        "clients": "detail",
        "remove_clients": "detail",
        "subscribers": "detail",
    }

    @classmethod
    def listed(cls, request):
        return with_clients_count(super().listed(request))

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
        client_list = self.get_queryset().get(pk=client_list.pk)
        data = ListClientsResultSerializer({"changed": changed, "clients_count": client_list.clients_count}).data
        return self.answer(data, self._detail(client_list, data, status.HTTP_200_OK, toast(changed)))

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
        return self._change_members(request, list_add_clients, added_to_list, body_class=ListAddClientsSerializer)

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
        return self._change_members(request, list_remove_clients, taken_off_list)

    @extend_schema(
        summary="Sign someone up to a list",
        description="`confirm` true: a link to confirm is emailed to `email` (double opt-in) and 202 says so; "
        "nobody is put on the list until they open it (someone already on the list is emailed that they are). "
        "At most SIGNUP_MAILS_PER_ADDRESS_PER_DAY (3) such emails go to one address a day; past that 429 "
        "with Retry-After. `confirm` false (the default): your client with this address (ignoring case), or a "
        "new one, goes on the list at once (201), and you vouch for their consent (`consent_source` `api`, "
        "kept only when none was recorded). An unsubscribed client stays unsubscribed: only their own "
        "confirmation of a sign-up undoes that.",
        request=SubscriberSerializer,
        responses={201: SubscriberResultSerializer, 202: SubscriberResultSerializer},
    )
    @action(detail=True, methods=["post"], url_path="subscribers")
    def subscribers(self, request, pk=None):
        client_list = self.get_object()
        body = SubscriberSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        email, full_name = body.validated_data["email"], body.validated_data["full_name"]
        if body.validated_data["confirm"]:
            try:
                linked = signup_request(
                    client_list=client_list, email=email, full_name=full_name, source=ConsentSource.API
                )
            except SignupRefused as refused:
                if not self.html_face():
                    raise Throttled(wait=refused.retry_after, detail=refused.message) from None
                return Response({"email": [refused.message]}, status=status.HTTP_400_BAD_REQUEST)
            if linked:
                detail = _("A link to confirm was emailed to %(email)s; they join the list when they open it.")
            else:
                detail = _("%(email)s is on the list already; they were emailed that they are.")
            result = {"confirmation_sent": linked, "client": None, "unsubscribed": False, "suppressed": False}
            answer = status.HTTP_202_ACCEPTED
        else:
            added = list_subscribe(client_list=client_list, email=email, full_name=full_name)
            detail = _("%(email)s is on the list.")
            if added.unsubscribed:
                detail = _("%(email)s is on the list, but has unsubscribed: they get no mail until they sign up again.")
            elif added.suppressed:
                detail = _("%(email)s is on the list, but mail to the address keeps failing: none is sent to it.")
            result = {
                "confirmation_sent": False,
                "client": added.client.pk,
                "unsubscribed": added.unsubscribed,
                "suppressed": added.suppressed,
            }
            answer = status.HTTP_201_CREATED
        detail = detail % {"email": email}
        data = SubscriberResultSerializer({"detail": detail, **result}).data
        client_list = self.get_queryset().get(pk=client_list.pk)
        return self.answer(data, self._detail(client_list, data, answer, detail))

    @extend_schema(
        summary="Give a list a new sign-up address",
        description="A new `signup_token` (and `signup_url`): the old sign-up page, and forms copied with it, "
        "stop working (404). Confirmation links already emailed still work.",
        request=None,
        responses={200: ClientListSerializer},
    )
    @action(detail=True, methods=["post"], url_path="signup-address")
    def signup_address(self, request, pk=None):
        client_list = self.get_object()
        signup_address_renew(client_list=client_list)
        client_list = self.get_queryset().get(pk=client_list.pk)
        data = ClientListSerializer(client_list, context=self.get_serializer_context()).data
        toast = _("The list has a new sign-up address; the old one no longer works.")
        return self.answer(data, self._detail(client_list, data, status.HTTP_200_OK, toast))

    @classmethod
    def detail_context(cls, request, obj):
        signup_url = signup_page_url(obj)
        members = clients_visible_to(request.user).filter(owner=obj.owner_id)
        on_list = members.on_list(obj).order_by("email", "pk")
        others = lists_visible_to(request.user).filter(owner=obj.owner_id).exclude(pk=obj.pk)
        return {
            "members": on_list[:MEMBERS_SHOWN],
            # whom to add is searched for (the clients API), never listed: a list's owner may have 100,000 clients
            "picker_id": f"id_list_{obj.pk}_clients",
            "picker": ClientPicker(name="clients", lists=[(str(other.pk), str(other)) for other in others]),
            "signup_url": signup_url,
            "signup_snippet": render_to_string(
                "api/lists/signup_snippet.txt", {"signup_url": signup_url, "honeypot": SIGNUP_HONEYPOT}
            ),
        }

    def fragment_context(self, name, obj, data, code):
        """A list's detail after a change of its members or a sign-up: refused, with why."""
        if name != "detail":
            return {}
        failed = code == status.HTTP_400_BAD_REQUEST and isinstance(data, dict)
        subscribing = self.action == "subscribers"
        return {
            **self.detail_context(self.request, obj),
            "errors": [
                message
                for field in ("clients", "clients_matching", "non_field_errors")
                for message in (data.get(field, []) if failed and not subscribing else [])
            ],
            "subscriber_errors": data if failed and subscribing else {},
            "subscriber": self.request.data if failed and subscribing else {},
        }

    def _detail(self, client_list, data, code, toast):
        return self.fragment(
            "detail",
            client_list,
            data=data,
            status=code,
            toast=toast,
            **self.fragment_context("detail", client_list, data, code),
        )
