from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiResponse, OpenApiTypes, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from api.csv_import import read_rows, refuse_oversized_request
from api.filters import ClientFilter
from api.htmx import TOAST_EVENT, toast_item
from api.renderers import BOM_PARAMETER, CSVRenderer, FragmentRenderer
from api.serializers.clients import (
    BulkAction,
    ClientBulkResultSerializer,
    ClientBulkSerializer,
    ClientChoiceSerializer,
    ClientSerializer,
    RemovedFromMailingsSerializer,
)
from api.serializers.common import as_field_errors
from api.serializers.imports import ImportResultSerializer, ImportUploadSerializer
from api.serializers.tracking import ClientClickSerializer
from api.views.base import OwnedResourceViewSet
from api.views.lists import added_to_list, taken_off_list
from core.models import ClientList
from core.selectors import clients_visible_to, lists_visible_to
from core.services.clients import clients_delete, clients_import
from core.services.lists import list_add_clients, list_remove_clients
from core.services.objects import (
    ObjectInUse,
    client_delete,
    client_in_use,
    client_remove_from_mailings,
    client_usage,
    mark_clients_in_use,
)
from core.services.tracking import client_clicks

CONFLICT = OpenApiResponse(description=_("The client is used by a mailing and was not deleted."))


@extend_schema_view(
    list=extend_schema(
        summary="List your clients",
        description="Search with `search` (email, name, comment); `list` keeps the clients on one of your lists.",
    ),
    retrieve=extend_schema(summary="One client"),
    create=extend_schema(summary="Add a client", description="The email must be unique among your clients."),
    update=extend_schema(summary="Change a client"),
    partial_update=extend_schema(summary="Change some fields of a client"),
    destroy=extend_schema(
        summary="Delete a client",
        description="Refused (409) while a mailing uses the client.",
        responses={204: None, 409: CONFLICT},
    ),
)
@extend_schema(tags=["clients"])
class ClientViewSet(OwnedResourceViewSet):
    """The people who receive your mailings."""

    resource = "clients"
    url_basename = "client"
    serializer_class = ClientSerializer
    filterset_class = ClientFilter
    ordering_fields = ["email", "full_name", "created_at", "id"]
    visible_to = staticmethod(clients_visible_to)
    fragment_templates = {
        "import_csv": "import",
        "bulk": "bulk",
    }
    csv_columns = ["email", "full_name", "comment"]

    @classmethod
    def listed(cls, request):
        lists = ClientList.objects.only("id", "name", "owner_id").order_by("name", "id")
        return super().listed(request).prefetch_related(Prefetch("lists", queryset=lists))

    def get_queryset(self):
        # Whether a mailing keeps the client (its row offers what to do instead of a refused delete):
        # a list asks it for its page only (list_rows).
        clients = super().get_queryset()
        return clients if self.action == "list" else clients.annotate(in_use=client_in_use())

    @classmethod
    def list_rows(cls, request, rows):
        return mark_clients_in_use(rows) if rows is not None else rows

    @classmethod
    def list_context(cls, request, rows, filterset):
        return {"bulk_lists": lists_visible_to(request.user).order_by("name", "pk")[:500]}

    @classmethod
    def detail_context(cls, request, obj):
        return {"clicks": list(client_clicks(obj)[:20])}

    def perform_destroy(self, instance):
        client_delete(client=instance)

    @extend_schema(
        summary="Act on many clients at once",
        description=(
            "Add the chosen clients to a list, take them off it, or delete them: the ids in `clients`, or with "
            "`all_matching` every client the query's filters (`search`, `list`) select. One transaction: an id "
            "that is not one of your clients (or a list that is not yours) refuses the request (400) and changes "
            "nothing. A delete leaves the clients a mailing still uses and names them in `refused`."
        ),
        request=ClientBulkSerializer,
        responses={200: ClientBulkResultSerializer, 409: CONFLICT},
        filters=True,
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        body = ClientBulkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        options = body.validated_data
        clients = self._chosen_clients(options)
        selected = clients.count()
        refused = []
        try:
            with transaction.atomic():
                if options["action"] == BulkAction.DELETE:
                    deletion = clients_delete(clients=clients)
                    changed, refused = deletion.deleted, deletion.refused
                else:
                    client_list = lists_visible_to(request.user).filter(pk=options["list"]).first()
                    if client_list is None:
                        raise ValidationError({"list": [_("Choose one of your lists.")]})
                    change = list_add_clients if options["action"] == BulkAction.ADD_TO_LIST else list_remove_clients
                    changed = change(client_list=client_list, clients=clients)
        except ObjectInUse as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as exc:
            raise as_field_errors(exc) from None
        result = {"action": options["action"], "selected": selected, "changed": changed, "refused": refused}
        data = ClientBulkResultSerializer(result).data
        return self.answer(
            data, self.fragment("bulk", data=data, toast=self._bulk_toast(options["action"], changed, refused))
        )

    def _chosen_clients(self, options):
        """The clients a bulk request chose: every one the filters select, or the
        ids — each of them one of the reader's own, else a 400 naming the others."""
        clients = self.get_queryset()
        if options["all_matching"]:
            return self.filter_queryset(clients)
        wanted = set(options["clients"])
        clients = clients.filter(pk__in=wanted)
        missing = sorted(wanted - set(clients.values_list("pk", flat=True)))
        if missing:
            ids = ", ".join(str(pk) for pk in missing[:10]) + ("…" if len(missing) > 10 else "")
            message = ngettext(
                "Choose only your own clients: %(ids)s is not one of them.",
                "Choose only your own clients: %(ids)s are not among them.",
                len(missing),
            ) % {"ids": ids}
            raise ValidationError({"clients": [message]})
        return clients

    @extend_schema(
        summary="Export the chosen clients as CSV",
        description=(
            "The columns of `GET /api/clients/export/` for the ids in `clients`, or with `all_matching` for every "
            "client the query's filters (`search`, `list`) select, without pagination. An id that is not one of "
            "your clients refuses the request (400)."
        ),
        request=ClientChoiceSerializer,
        responses={(200, "text/csv"): OpenApiTypes.STR},
        filters=True,
        parameters=[BOM_PARAMETER],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="bulk/export",
        renderer_classes=[CSVRenderer],
        pagination_class=None,
    )
    def bulk_export(self, request):
        body = ClientChoiceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        clients = self._chosen_clients(body.validated_data)
        if not body.validated_data["all_matching"]:
            clients = self.filter_queryset(clients)  # the list's ordering
        rows = clients.values(*self.csv_columns)
        return Response(list(rows), headers={"Content-Disposition": 'attachment; filename="clients.csv"'})

    @staticmethod
    def _bulk_toast(action_name, changed, refused):
        if action_name == BulkAction.ADD_TO_LIST:
            return added_to_list(changed)
        if action_name == BulkAction.REMOVE_FROM_LIST:
            return taken_off_list(changed)
        message = ngettext("%(count)d client deleted.", "%(count)d clients deleted.", changed) % {"count": changed}
        if refused:
            names = ", ".join(client.email for client in refused[:10]) + ("…" if len(refused) > 10 else "")
            message += " " + ngettext(
                "Not deleted, a mailing uses it: %(clients)s.",
                "Not deleted, mailings use them: %(clients)s.",
                len(refused),
            ) % {"clients": names}
        return message

    @extend_schema(
        summary="Take a client off every mailing",
        description="The client is removed from every mailing that lists it and receives nothing more from them "
        "(its sends not made yet are skipped); its history stays. A client whose sends are kept in a mailing's "
        "history can be deleted only with that mailing.",
        request=None,
        responses=RemovedFromMailingsSerializer,
    )
    @action(detail=True, methods=["post"], url_path="remove-from-mailings")
    def remove_from_mailings(self, request, pk=None):
        client = self._changeable_object()
        mailings = client_remove_from_mailings(client=client, by=request.user)
        client = self.get_queryset().get(pk=client.pk)
        data = RemovedFromMailingsSerializer({"mailings": [m.pk for m in mailings]}).data
        count = len(mailings)
        removed = ngettext("Removed from %(count)d mailing.", "Removed from %(count)d mailings.", count) % {
            "count": count
        }
        # the dialog stays open: it now offers the delete
        events = {TOAST_EVENT: toast_item(removed), f"{self.resource}-changed": {}}
        context = self.fragment_context("confirm_delete", client, data, status.HTTP_200_OK)
        return self.answer(data, self.fragment("confirm_delete", client, data=data, events=events, **context))

    CLICKS = 100  # the latest clicks shown

    @extend_schema(
        summary="A client's clicks",
        description="The tracked links the client followed (the latest hundred, newest first): per mailing run "
        "and link, how often and when. Only mailings with click tracking on record clicks.",
        responses=ClientClickSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def clicks(self, request, pk=None):
        client = self.get_object()
        clicks = list(client_clicks(client)[: self.CLICKS])
        return self.answer(
            ClientClickSerializer(clicks, many=True).data, self.fragment("clicks", client, clicks=clicks)
        )

    def fragment_context(self, name, obj, data, code):
        if name == "confirm_delete":
            return {"usage": client_usage(obj)}
        if name == "import":
            own_lists = ClientList.objects.filter(owner=self.request.user).order_by("name", "pk")[:500]
            chosen = data.get("list") if isinstance(data, dict) else None
            return {"import_lists": own_lists, "import_list": next((li for li in own_lists if li.pk == chosen), None)}
        return {}

    @extend_schema(
        summary="Export clients as CSV",
        description="Exactly the clients the list filters select (`search`, `ordering`), without pagination.",
        responses={(200, "text/csv"): OpenApiTypes.STR},
        filters=True,
        parameters=[BOM_PARAMETER],
    )
    @action(detail=False, methods=["get"], renderer_classes=[CSVRenderer], pagination_class=None)
    def export(self, request):
        rows = self.filter_queryset(self.get_queryset()).values(*self.csv_columns)
        return Response(list(rows), headers={"Content-Disposition": 'attachment; filename="clients.csv"'})

    @extend_schema(exclude=True)
    @action(detail=False, methods=["get"], url_path="import/form", renderer_classes=[FragmentRenderer])
    def import_form(self, request):
        return Response(
            self.fragment("import", data={}, **self.fragment_context("import", None, {}, status.HTTP_200_OK))
        )

    @extend_schema(
        summary="Import clients from CSV",
        description=(
            "Header row `email,full_name,comment`, UTF-8. All or nothing: when any row is wrong nothing is saved "
            "and the answer (400) lists each bad row with its line number and why. Duplicates within the file "
            "are errors; so are emails you already have (in any case), unless `update_existing` is set: then such "
            "a row updates that client's name and comment. With `list` (one of your lists; another's is refused "
            "with 400) every client the file names, created or updated, ends on that list. With `preview` the "
            "file is only checked: the answer lists every row and its errors, and how many clients would be "
            "created, updated and put on the list, and nothing is saved."
        ),
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            200: ImportResultSerializer,
            201: ImportResultSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=_(
                    "Nothing saved: an import result whose `errors` list the bad rows, or field errors such as "
                    '{"file": ["The file is not UTF-8 text. …"]} when the file cannot be read at all.'
                ),
            ),
            409: OpenApiResponse(
                description=_("A client with one of these emails was added (or one it updates deleted) meanwhile.")
            ),
        },
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_csv(self, request):
        refuse_oversized_request(request)
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        options = upload.validated_data
        client_list = None
        if options.get("list") is not None:
            client_list = ClientList.objects.filter(owner=request.user, pk=options["list"]).first()
            if client_list is None:
                raise ValidationError({"list": [_("Choose one of your lists.")]})
        rows = read_rows(options["file"])
        try:
            result = clients_import(
                owner=request.user,
                rows=rows,
                save=not options["preview"],
                update_existing=options["update_existing"],
                client_list=client_list,
            )
        except DjangoValidationError as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_409_CONFLICT)
        body = {
            "saved": result.saved,
            "count": len(result.rows),
            "created": result.created,
            "updated": result.updated,
            "list": client_list.pk if client_list else None,
            "listed": result.listed,
            "rows": [vars(row) for row in result.rows] if options["preview"] else [],
            "errors": [{"line": row.line, "errors": row.errors} for row in result.errors],
        }
        if result.errors:
            code = status.HTTP_400_BAD_REQUEST
        else:
            code = status.HTTP_201_CREATED if result.saved else status.HTTP_200_OK
        toast = None
        if result.saved:
            count = len(result.rows)
            toast = ngettext("%(count)d client imported.", "%(count)d clients imported.", count) % {"count": count}
        data = ImportResultSerializer(body).data
        context = self.fragment_context("import", None, data, code)
        return self.answer(data, self.fragment("import", data=data, status=code, toast=toast, **context))
