"""The two faces of every viewset.

API clients get JSON (the OpenAPI schema documents it). A request from our own
pages carries `HX-Request: true` and gets an HTML fragment instead, rendered by
`FragmentRenderer` from an `api.fragments.Fragment`: a template of
`templates/api/<resource>/` (falling back to the shared `templates/api/_<name>.html`),
its context, its status, its toast and other client events. An action that
shows more than its object returns its Fragment itself; the rest are made
here from the answer (`fragment_templates` names a refused action's own
fragment):

- list → `list` and retrieve → `detail`, the plain functions of
  `api.fragments` that the pages call too;
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
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django_htmx.http import trigger_client_event
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.renderers import StaticHTMLRenderer
from rest_framework.response import Response

from api.forms import form_fields, other_errors
from api.fragments import Fragment, base_context, detail_fragment, list_fragment, next_page
from api.htmx import close_modal, is_htmx, toast
from api.renderers import CSVRenderer, FragmentRenderer
from core.selectors import can_change

FORM_ACTIONS = {"create", "update", "partial_update", "form", "edit_form"}
_TEMPLATES = {
    "create": "row",
    "update": "row",
    "partial_update": "row",
    "destroy": "deleted",
}
_SAVED = {
    "create": _("Created."),
    "update": _("Saved."),
    "partial_update": _("Saved."),
    "destroy": _("Deleted."),
}


class TwoFacedMixin:
    """JSON for API clients, HTML fragments for htmx requests (see module doc).

    A resource declares, as class-level rules that `api.fragments` reads
    without an instance, what its list shows (`listed`, `list_rows`,
    `list_context`) and what its detail shows beside the object
    (`detail_context`)."""

    resource: str = ""
    url_basename: str = ""  # its URLs' names: api:<url_basename>-list, api:<url_basename>-detail
    fragment_templates: dict[str, str] = {}
    quiet_actions: frozenset[str] = frozenset()

    @classmethod
    def listed(cls, request):
        """The objects the resource's list shows the request's user, before its filters."""
        raise NotImplementedError

    @classmethod
    def list_rows(cls, request, rows):
        """The rows of one list page, as its fragment shows them."""
        return rows

    @classmethod
    def list_context(cls, request, rows, filterset) -> dict:
        """What the list fragment shows beside its rows."""
        return {}

    @classmethod
    def detail_context(cls, request, obj) -> dict:
        """What the detail fragment shows beside the object."""
        return {}

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

    def html_face(self) -> bool:
        """This request is answered with a fragment."""
        return isinstance(getattr(self.request, "accepted_renderer", None), FragmentRenderer)

    def answer(self, data, fragment: Fragment) -> Response:
        """`data` for API clients, `fragment` for our pages; the status is the fragment's."""
        return Response(fragment if self.html_face() else data, status=fragment.status)

    def fragment(
        self, name: str, obj=None, *, status: int = 200, toast: str | None = None, events=None, **context
    ) -> Fragment:
        """This resource's fragment `name` showing `obj` and `context`."""
        context = {**base_context(self.request, type(self), obj), **context}
        return Fragment(self.resource, name, context, status, toast, events or {})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ("HX-Request", "Accept"))
        if self.html_face():
            if isinstance(response, Response):  # (not a page from the cache)
                if not isinstance(response.data, Fragment):
                    response.data = self.answer_fragment(response.data, response.status_code)
                for event, detail in response.data.events.items():
                    trigger_client_event(response, event, detail)
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
            message = response.data.toast or _SAVED.get(self.action)
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

    # Fragments made from an answer

    def answer_fragment(self, data, code: int) -> Fragment:
        """The fragment of an answer its action did not make itself: the saved
        row, the emptied row of a delete, a refused form or delete, an error."""
        name, obj = self._fragment_of(data, code)
        context = base_context(self.request, type(self), obj)
        context["data"] = data
        if name == "form":
            context.update(self.form_context(obj, errors=data))
        elif name in {"error", "confirm_delete"} and code >= 400:
            context["error"] = data.get("detail") if isinstance(data, dict) else data
        context.update(self.fragment_context(name, obj, data, code))
        return Fragment(self.resource, name, context, status=code)

    def _fragment_of(self, data, code: int):
        """The fragment's name and the object it shows."""
        saved = getattr(getattr(data, "serializer", None), "instance", None)
        if code == status.HTTP_400_BAD_REQUEST and self.action in FORM_ACTIONS:
            editing = self.action in {"update", "partial_update", "edit_form"}
            return "form", self.get_object() if editing else None
        if code in {400, 409} and self.action in {"destroy", "confirm_delete"}:
            return "confirm_delete", self.get_object()
        if code == status.HTTP_400_BAD_REQUEST and self.action in self.fragment_templates:
            return self.fragment_templates[self.action], self.get_object() if self.detail else None
        if code >= 400:
            return "error", None
        return {**_TEMPLATES, **self.fragment_templates}.get(self.action, self.action), saved

    def fragment_context(self, name: str, obj, data, code: int) -> dict:
        """What a resource's own fragment `name` shows beside `obj` (the refused
        delete's usage, say)."""
        return {}

    def form_context(self, instance, errors=None) -> dict:
        """The create or edit form of `instance` (None: a new one), with the
        refused values and their messages when `errors` is a 400's body."""
        serializer = self.get_serializer(instance)
        with timezone.override(self.request.user.tzinfo):  # a form shows times in its reader's zone
            if errors is not None:
                fields = form_fields(serializer, values=self.request.data, errors=errors)
                form_errors = other_errors(errors, fields)
            else:
                fields, form_errors = form_fields(serializer), []
        editing = instance is not None
        return {
            "fields": fields,
            "form_errors": form_errors,
            "editing": editing,
            "form_url": reverse(f"api:{self.url_basename}-detail", args=[instance.pk])
            if editing
            else reverse(f"api:{self.url_basename}-list"),
        }


class ListMixin(mixins.ListModelMixin):
    """A list in both faces: JSON, or the list fragment of `api.fragments`."""

    def list(self, request, *args, **kwargs):
        if self.html_face():
            return self.answer(None, list_fragment(request, type(self)))
        return super().list(request, *args, **kwargs)


class RetrieveMixin(mixins.RetrieveModelMixin):
    """One object in both faces: JSON, or the detail fragment of `api.fragments`."""

    def retrieve(self, request, *args, **kwargs):
        if self.html_face():
            return self.answer(None, detail_fragment(request, type(self), self.get_object()))
        return super().retrieve(request, *args, **kwargs)


class FormFragmentsMixin:
    """The HTML-only fragments a page needs around a writable resource: the empty
    form, the filled edit form and the delete confirmation."""

    @extend_schema(exclude=True)
    @action(detail=False, methods=["get"], url_path="form", renderer_classes=[FragmentRenderer])
    def form(self, request, *args, **kwargs):
        return self._form_fragment(None)

    @extend_schema(exclude=True)
    @action(detail=True, methods=["get"], url_path="form", renderer_classes=[FragmentRenderer])
    def edit_form(self, request, *args, **kwargs):
        return self._form_fragment(self._changeable_object())

    def _form_fragment(self, instance):
        context = {**base_context(self.request, type(self), instance), **self.form_context(instance)}
        context.update(self.fragment_context("form", instance, None, status.HTTP_200_OK))
        return Response(Fragment(self.resource, "form", context))

    @extend_schema(exclude=True)
    @action(detail=True, methods=["get"], url_path="confirm-delete", renderer_classes=[FragmentRenderer])
    def confirm_delete(self, request, *args, **kwargs):
        obj = self._changeable_object()
        context = base_context(request, type(self), obj)
        context.update(self.fragment_context("confirm_delete", obj, None, status.HTTP_200_OK))
        return Response(Fragment(self.resource, "confirm_delete", context))

    def _changeable_object(self):
        obj = self.get_object()
        if not can_change(self.request.user, obj):
            raise PermissionDenied(_("You may look at this object but not change it."))
        return obj
