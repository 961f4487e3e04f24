"""A page's first fragment, rendered in the same request as the page.

The resource pages are shells whose content comes from the API's HTML face.
Fetching it with a second request (`hx-trigger="load"`) costs the user a round
trip and a spinner; instead the shell asks the API view in-process, exactly as
htmx would (same user, same session, `HX-Request: true`), and puts the answer
into `#content`. The rules stay in the viewset: this only calls it.
"""

import copy
from urllib.parse import urlsplit

from django.http import HttpRequest, QueryDict
from django.urls import resolve
from django_htmx.middleware import HtmxDetails


def first_fragment(request: HttpRequest, url: str) -> str:
    """The HTML the API answers to an htmx GET of `url` for this request's user
    (an error fragment saying why, should it refuse)."""
    parts = urlsplit(url)
    inner = copy.copy(request)
    # properties cached from the page's META: read them again from the new one
    for derived in ("headers", "accepted_types", "accepted_types_by_precedence"):
        inner.__dict__.pop(derived, None)
    inner.path = inner.path_info = parts.path
    inner.GET = QueryDict(parts.query)
    inner.META = {**request.META, "PATH_INFO": parts.path, "QUERY_STRING": parts.query, "HTTP_HX_REQUEST": "true"}
    inner.method = "GET"
    inner.htmx = HtmxDetails(inner)
    match = resolve(parts.path)
    inner.resolver_match = match
    response = match.func(inner, *match.args, **match.kwargs)
    if hasattr(response, "render"):
        response.render()
    return response.content.decode(response.charset)
