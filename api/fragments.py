"""The HTML face's answers, as plain values and plain functions.

A `Fragment` is what our pages get where API clients get JSON: which template
of which resource (`templates/api/<resource>/<name>.html`, else the shared
`templates/api/_<name>.html`), with what, under which status, and the client
events it triggers (the toast the page shows, a list to reload). A viewset's action returns one for htmx requests; the
fragment renderer only renders it (`api.renderers.FragmentRenderer`).

The fragments a page is made of are plain functions of the request — a
resource's list (`list_fragment`) and an object's detail (`detail_fragment`) —
that the viewsets' HTML face and the page views (`web.views`) both call: a
page renders its first fragment in its own request, with no second request
and no viewset run in-process. The rules they apply are the resource's own,
declared once on its viewset class: its queryset (`listed`, from the core
selectors), its FilterSet, its ordering whitelist and its pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from core.selectors import sees_all_mailings

if TYPE_CHECKING:
    from django.http import HttpRequest, QueryDict

    from api.views.base import ResourceViewSet


@dataclass
class Fragment:
    """One HTML answer: a resource's template, its context, its status, the
    toast the page shows (None: the action's usual one, if any) and other
    client events to trigger (name → detail)."""

    resource: str
    name: str
    context: dict = field(default_factory=dict)
    status: int = 200
    toast: str | None = None
    events: dict = field(default_factory=dict)

    @property
    def template_names(self) -> list[str]:
        return [f"api/{self.resource}/{self.name}.html", f"api/_{self.name}.html"]

    def render(self, request: HttpRequest) -> str:
        """The HTML, with times in the reader's time zone."""
        user = getattr(request, "user", None)
        time_zone = user.tzinfo if user is not None and user.is_authenticated else None
        context = {"resource": self.resource, "status_code": self.status, **self.context}
        with timezone.override(time_zone):
            return render_to_string(self.template_names, context, request=request)


def next_page(request) -> str | None:
    """The `next` page of this site a request names, or None."""
    url = request.GET.get("next", "")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return None


def base_context(request, resource: type[ResourceViewSet], obj=None) -> dict:
    """What every fragment of a resource may show: the reader, the list's and
    the object's URLs, and the page to go back to."""
    context = {
        "user": request.user,
        "sees_all_mailings": sees_all_mailings(request.user),
        "list_url": reverse(f"api:{resource.url_basename}-list"),
        "next": next_page(request),
        "object": obj,
    }
    if getattr(obj, "pk", None) is not None:
        context["detail_url"] = reverse(f"api:{resource.url_basename}-detail", args=[obj.pk])
    return context


class _ApiRequest(Request):
    """A request as DRF's filters and pages read it, with a query of its own."""

    def __init__(self, request: HttpRequest, query: QueryDict):
        super().__init__(request)
        self.user = request.user  # the page's user: nothing is authenticated again
        self._query = query

    @property
    def query_params(self) -> QueryDict:
        return self._query


def api_request(request: HttpRequest, query: QueryDict | None = None) -> Request:
    """`request` as the API's filters and pages read it: its query, or `query`."""
    if isinstance(request, Request):
        if query is None:
            return request
        request = request._request
    return _ApiRequest(request, request.GET if query is None else query)


def list_fragment(request: HttpRequest, resource: type[ResourceViewSet], query: QueryDict | None = None) -> Fragment:
    """A resource's list for the request's query, or `query` (filters, search,
    order, page), as its API lists it: the page's rows, the filter form, the
    sorting and the pages. An invalid filter is a 400 error fragment saying why."""
    request = api_request(request, query)
    queryset = resource.listed(request)
    filterset = None
    if resource.filterset_class is not None:
        filterset = resource.filterset_class(request.query_params, queryset=queryset, request=request)
        if not filterset.is_valid():
            errors = [str(message) for messages in filterset.errors.values() for message in messages]
            return Fragment(resource.resource, "error", {"error": " ".join(errors)}, status=400)
        queryset = filterset.qs
    if OrderingFilter in resource.filter_backends:
        queryset = OrderingFilter().filter_queryset(request, queryset, resource)
    pages = resource.pagination_class()
    try:
        rows = resource.list_rows(request, pages.paginate_queryset(queryset, request))
    except NotFound as missing:  # a page past the last
        return Fragment(resource.resource, "error", {"error": missing.detail}, status=404)
    query = request.query_params
    context = {
        **base_context(request, resource),
        "objects": rows,
        "page": getattr(pages, "page", None),
        "filter_form": filterset.form if filterset is not None else None,
        "ordering": query.get("ordering", ""),
        "query": query,
        **resource.list_context(request, rows, filterset),
    }
    context["list_href"] = f"{context['list_url']}?{query.urlencode()}" if query else context["list_url"]
    return Fragment(resource.resource, "list", context)


def detail_fragment(request: HttpRequest, resource: type[ResourceViewSet], obj) -> Fragment:
    """One object's detail, with what its resource shows beside it."""
    context = base_context(request, resource, obj)
    context.update(resource.detail_context(api_request(request), obj))
    return Fragment(resource.resource, "detail", context)
