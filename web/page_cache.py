"""Whole pages from the cache: the resource pages and a mailing's page.

A page is the same for its reader until the data behind it changes, so it is
kept as the API's lists are (`api/list_cache.py`): per user, path,
language and time zone, under the versions of what it shows
(`core.selectors.reader_versions`: the reader's own data, or everyone's for
managers; their account and roles) — the next load after a write that
changes them renders afresh, and another owner's writes (a mailing being
sent) leave the page warm. On with a shared Redis cache and
`DATA_CACHE_SECONDS`; an entry lives that many seconds at most.

What a page holds that is not the reader's data is never cached:

- the CSRF token: the page is rendered with a placeholder, which every answer,
  fresh or cached, replaces with the request's own token;
- Django's messages (the toasts of the last action): a request with messages
  waiting is rendered, not served, and not kept;
- the staff notices that the dispatcher has stopped or that account emails are
  stuck: while one shows (its text says how long ago, how many) the page is
  rendered afresh for those who see it;
- what time alone changes: a page that shows it says until when it holds
  (`until`, e.g. a mailing's next run: then its progress turns to "due" and its
  next runs move on), and is not kept past that.

A page is kept under the part of its query string it reads and nothing else
(`query_keys`: a resource page reads its list's filters, search, order and
page; a mailing's page reads none): the rest is dropped before the page is
looked up or rendered, so `?junk=1` … `?junk=300` are one page and one entry,
not one each.

Only 200 answers are kept; a visitor, a 403 or a 404 never reaches the cache
(the views check access before they serve).
"""

from collections.abc import Callable
from datetime import datetime

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.utils import timezone

from api import list_cache
from api.htmx import is_htmx
from core.cache import data_cache_enabled, data_cache_seconds, keep, lookup
from core.selectors import reader_versions
from web import dispatcher

# Stands for the CSRF token in a kept page; letters and dashes only, so
# templates print it unescaped wherever they print the token.
CSRF_PLACEHOLDER = "page-cache-csrf-token-placeholder"


def _cacheable(request) -> bool:
    if not data_cache_enabled() or request.method != "GET" or is_htmx(request) or not request.user.is_authenticated:
        return False
    if len(messages.get_messages(request)):  # counts them without marking them read
        return False
    return not (dispatcher.watches_dispatcher(request.user) and dispatcher.has_notice())


def _with_token(request, content: bytes) -> bytes:
    return content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())


def _read_query(request, keys: frozenset[str]) -> None:
    """Keep of the request's query only the parameters the page reads: a name
    in `keys`, or one of its range parts (`start_at_after` of `start_at`)."""
    query = QueryDict(mutable=True)
    for name in sorted(request.GET):
        if list_cache.reads(name, keys):
            query.setlist(name, request.GET.getlist(name))
    request.GET = query
    request.META["QUERY_STRING"] = query.urlencode()


def serve(
    request,
    render: Callable[[dict], HttpResponse],
    until: Callable[[], datetime | None] = lambda: None,
    query_keys: frozenset[str] = frozenset(),
):
    """The page `render(extra_context)` gives for `request`, from the cache
    when the same reader loaded it since the last write (see the module doc).
    `until()`, asked after a render, is when the page stops being true by
    time alone (None: not before the data changes); `query_keys` are the
    query parameters the page reads."""
    if not _cacheable(request):
        return render({})
    _read_query(request, query_keys)
    key = list_cache.reader_key("web-pages:", request)
    stamp, hit = lookup(key, reader_versions(request.user))
    if hit is not None:
        content, content_type, ends = hit
        if ends is None or timezone.now() < ends:
            return HttpResponse(_with_token(request, content), content_type=content_type)
    response = render({"csrf_token": CSRF_PLACEHOLDER})
    if hasattr(response, "render"):
        response.render()
    if response.status_code == 200:
        seconds, ends = data_cache_seconds(), until()
        if ends is not None:
            seconds = min(seconds, (ends - timezone.now()).total_seconds())
        if seconds > 0:
            keep(key, stamp, (response.content, response["Content-Type"], ends), seconds)
    response.content = _with_token(request, response.content)
    return response


class CachedPageMixin:
    """Serve a view's GET through `serve`; `page_until()` (after a render) is
    when its page stops being true by time alone, `page_query_keys()` what it
    reads of its query string."""

    def page_until(self) -> datetime | None:
        return None

    def page_query_keys(self) -> frozenset[str]:
        return frozenset()

    def get(self, request, *args, **kwargs):
        def render(extra):
            self.extra_context = {**(self.extra_context or {}), **extra}
            return super(CachedPageMixin, self).get(request, *args, **kwargs)

        return serve(request, render, self.page_until, self.page_query_keys())
