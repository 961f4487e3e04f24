"""The two faces of every viewset.

API clients get JSON (the OpenAPI schema documents it). A request from our own
pages carries `HX-Request: true` and gets an HTML fragment instead, rendered by
`FragmentRenderer` from `templates/api/<resource>/<name>.html` (falling back to
the shared `templates/api/_<name>.html`):

- list → `list` (filter form from the FilterSet, table with sorting links,
  `row` per object, pagination); retrieve → `detail`;
- create / update → `row` (201/200) — the page puts it into its table;
- destroy → `deleted` (200, empty: the row is swapped out), or, when the
  request names a `next` page of this site (a delete from the object's own
  page), a client redirect there with the toast as a message of the next page;
- `form/` and `{id}/form/` → `form`; `{id}/confirm-delete/` → `confirm_delete`.

Validation errors answer **400 with the form fragment** (the serializer's
messages next to their fields) and the headers `HX-Retarget: #<resource>-form`,
`HX-Reswap: outerHTML`, so the form is replaced wherever the form's own
`hx-target` pointed. htmx does not swap 4xx answers by default: the page shell
allows it for 400 and 409 with the `htmx-config` meta tag in `base.html`.
Successful writes trigger the client events `showToast` ({"message", "level"},
shown by static/js/app.js through api.htmx.toast), `closeModal` (the dialog
the form was in closes) and `<resource>-changed`. Every response varies on `HX-Request` and `Accept`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_htmx.http import trigger_client_event
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import StaticHTMLRenderer
from rest_framework.response import Response

from api.forms import form_fields, other_errors
from api.htmx import close_modal, is_htmx, toast
from api.renderers import CSVRenderer, FragmentRenderer
from core.selectors import can_change, sees_all_mailings

FORM_ACTIONS = {"create", "update", "partial_update", "form", "edit_form"}
_TEMPLATES = {
    "list": "list",
    "retrieve": "detail",
    "create": "row",
    "update": "row",
    "partial_update": "row",
    "destroy": "deleted",
    "form": "form",
    "edit_form": "form",
    "confirm_delete": "confirm_delete",
}
_SAVED = {
    "create": _("Created."),
    "update": _("Saved."),
    "partial_update": _("Saved."),
    "destroy": _("Deleted."),
}


def next_page(request) -> str | None:
    """The `next` page of this site a request names, or None."""
    url = request.query_params.get("next", "")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return None


class TwoFacedMixin:
    """JSON for API clients, HTML fragments for htmx requests (see module doc)."""

    resource: str = ""
    fragment_templates: dict[str, str] = {}
    fragment_object = None
    page_objects = None
    quiet_actions: frozenset[str] = frozenset()

    # Choosing the face

    def get_renderers(self):
        # a download (CSV export) or a document (a message's HTML part) is itself whoever asks
        if is_htmx(self.request) and not {CSVRenderer, StaticHTMLRenderer} & set(self.renderer_classes):
            return [FragmentRenderer()]
        return super().get_renderers()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        content_type = self.request.content_type or ""
        if self.request.user.is_authenticated and not content_type.startswith("application/json"):
            # datetime-local inputs of our forms carry no offset: read them in the user's zone
            context["form_time_zone"] = self.request.user.tzinfo
        return context

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ("HX-Request", "Accept"))
        if is_htmx(request):
            self._htmx_headers(response)
        return response

    def _htmx_headers(self, response):
        if self.action == "list" and response.status_code < 300:
            self._page_url(response)
        elif response.status_code == status.HTTP_400_BAD_REQUEST and self.action in FORM_ACTIONS:
            response["HX-Retarget"] = f"#{self.resource}-form"
            response["HX-Reswap"] = "outerHTML"
        elif response.status_code in {400, 409} and self.action == "destroy":
            response["HX-Retarget"] = f"#{self.resource}-confirm"
            response["HX-Reswap"] = "outerHTML"
        elif response.status_code < 300 and self.request.method not in {"GET", "HEAD", "OPTIONS"}:
            if response.status_code == status.HTTP_204_NO_CONTENT:
                response.status_code = status.HTTP_200_OK  # htmx swaps 200, not 204: the row goes away
            message = getattr(self, "toast", None) or _SAVED.get(self.action)
            if self.action == "destroy" and next_page(self.request):
                messages.success(self.request, message)
                response["HX-Redirect"] = next_page(self.request)
            elif message:
                toast(response, message)
                if self.action not in self.quiet_actions:  # a test send changes nothing the page shows
                    close_modal(response)
                    trigger_client_event(response, f"{self.resource}-changed", {})

    def _page_url(self, response):
        """A list that is its page's content (the page sends X-Page-Path) puts
        its query (search, filters, order, page) on the page's URL: pushed when
        the user moved (Back returns), replaced when the list reloads itself."""
        page = self.request.headers.get("X-Page-Path", "")
        if not page.startswith("/") or page.startswith("//"):
            return
        query = self.request.META.get("QUERY_STRING", "")
        patch_vary_headers(response, ("X-Page-Path", "HX-Trigger"))
        reload = self.request.headers.get("HX-Trigger") == f"{self.resource}-list"
        response["HX-Replace-Url" if reload else "HX-Push-Url"] = f"{page}?{query}" if query else page

    # Remembering the objects a fragment shows

    def paginate_queryset(self, queryset):
        self.page_objects = super().paginate_queryset(queryset)
        return self.page_objects

    def get_object(self):
        self.fragment_object = super().get_object()
        return self.fragment_object

    def get_serializer(self, *args, **kwargs):
        if self.action == "retrieve" and is_htmx(self.request):
            # The detail fragment shows the object itself; the serializer's JSON
            # (a mailing's every client id, say) would be built for nothing.
            return serializers.Serializer(*args, **kwargs)
        return super().get_serializer(*args, **kwargs)

    # Building the fragment

    def fragment_name(self, response) -> str:
        if response.status_code == status.HTTP_400_BAD_REQUEST and self.action in FORM_ACTIONS:
            return "form"
        if response.status_code in {400, 409} and self.action in {"destroy", "confirm_delete"}:
            return "confirm_delete"
        if response.status_code == status.HTTP_400_BAD_REQUEST and self.action in self.fragment_templates:
            return self.fragment_templates[self.action]
        if response.status_code >= 400:
            return "error"
        return {**_TEMPLATES, **self.fragment_templates}.get(self.action, self.action)

    def get_fragment(self, data, response):
        name = self.fragment_name(response)
        if self.fragment_object is None and response.status_code < 300:
            # after create/update the object is the one the serializer saved
            self.fragment_object = getattr(getattr(data, "serializer", None), "instance", None)
        context = {
            "data": data,
            "status_code": response.status_code,
            "resource": self.resource,
            "object": self.fragment_object,
            "objects": self.page_objects,
            "user": self.request.user,
            "sees_all_mailings": sees_all_mailings(self.request.user),
            "list_url": reverse(f"api:{self.basename}-list"),
            "next": next_page(self.request),
        }
        if getattr(self.fragment_object, "pk", None) is not None:
            context["detail_url"] = reverse(f"api:{self.basename}-detail", args=[self.fragment_object.pk])
        if name == "list":
            context.update(self.list_fragment_context())
        elif name == "form":
            context.update(self.form_fragment_context(data, response))
        elif name in {"error", "confirm_delete"} and response.status_code >= 400:
            context["error"] = data.get("detail") if isinstance(data, dict) else data
        context.update(self.extra_fragment_context(name, data, response))
        return [f"api/{self.resource}/{name}.html", f"api/_{name}.html"], context

    def extra_fragment_context(self, name, data, response) -> dict:
        return {}

    def list_fragment_context(self) -> dict:
        filterset = getattr(self, "list_filterset", None)  # the one the list was filtered with
        for backend in self.filter_backends if filterset is None else ():
            if hasattr(backend, "get_filterset"):
                filterset = backend().get_filterset(self.request, self.get_queryset(), self)
        paginator = getattr(self, "paginator", None)
        return {
            "filter_form": filterset.form if filterset is not None else None,
            "page": getattr(paginator, "page", None),
            "ordering": self.request.query_params.get("ordering", ""),
        }

    def form_fragment_context(self, data, response) -> dict:
        instance = self.fragment_object
        serializer = self.get_serializer(instance)
        if response.status_code == status.HTTP_400_BAD_REQUEST:
            fields = form_fields(serializer, values=self.request.data, errors=data)
            errors = other_errors(data, fields)
        else:
            fields, errors = form_fields(serializer), []
        editing = instance is not None
        form_url = reverse(f"api:{self.basename}-detail", args=[instance.pk]) if editing else None
        return {
            "fields": fields,
            "form_errors": errors,
            "editing": editing,
            "form_url": form_url or reverse(f"api:{self.basename}-list"),
        }


class FormFragmentsMixin:
    """The HTML-only fragments a page needs around a writable resource: the empty
    form, the filled edit form and the delete confirmation."""

    @extend_schema(exclude=True)
    @action(detail=False, methods=["get"], url_path="form", renderer_classes=[FragmentRenderer])
    def form(self, request, *args, **kwargs):
        return Response({})

    @extend_schema(exclude=True)
    @action(detail=True, methods=["get"], url_path="form", renderer_classes=[FragmentRenderer])
    def edit_form(self, request, *args, **kwargs):
        self._changeable_object()
        return Response({})

    @extend_schema(exclude=True)
    @action(detail=True, methods=["get"], url_path="confirm-delete", renderer_classes=[FragmentRenderer])
    def confirm_delete(self, request, *args, **kwargs):
        self._changeable_object()
        return Response({})

    def _changeable_object(self):
        obj = self.get_object()
        if not can_change(self.request.user, obj):
            raise PermissionDenied(_("You may look at this object but not change it."))
        return obj
