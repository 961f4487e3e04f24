"""A response cache for the busiest list GETs (mailings, attempts, reports and
the reports' per-day series).

A rendered list page is kept in the configured cache under a key made of the
user, the full URL (scheme, host, path and query), the method, the face (JSON
or the htmx fragment) and the negotiated media type, the language and the time
zone, together with the versions of what it shows (`core.selectors.reader_versions`:
the reader's own data, or everyone's for managers; their account and roles).
The code that changes the data moves those versions on once it commits
(`core.cache`), so a page is never served after a write that changes it, and a
write by one owner leaves every other owner's pages warm. Whole web pages use
the same key and versions (`web/page_cache.py`).

A request with a query parameter the list does not read (`query_keys`) is
answered, not kept: `?junk=1` … `?junk=300` make no entries.

On only with a shared cache (Redis, `REDIS_URL`) and `DATA_CACHE_SECONDS > 0`;
entries live that many seconds at most.
"""

import hashlib

from django.http import HttpResponse
from django.utils import timezone, translation
from rest_framework.settings import api_settings

from core.cache import data_cache_enabled, data_cache_seconds, keep, lookup
from core.selectors import reader_versions


def query_keys(viewset) -> frozenset[str]:
    """The query parameters a list reads: its filters, search, order, page and
    page size (a range filter's parts, `start_at_after`, count as `start_at`:
    see `reads`)."""
    keys = {api_settings.SEARCH_PARAM, api_settings.ORDERING_PARAM}
    if filterset := getattr(viewset, "filterset_class", None):
        keys.update(filterset.base_filters)
    if pages := viewset.pagination_class:
        keys.update(name for name in (pages.page_query_param, pages.page_size_query_param) if name)
    return frozenset(keys)


def reads(name: str, keys: frozenset[str]) -> bool:
    """Whether a query parameter is one of `keys`, or one of its range parts."""
    return name in keys or name.rsplit("_", 1)[0] in keys


def reader_key(prefix: str, request, *extra: str) -> str:
    """A cache key for what `request` reads: the user, the full URL, the
    language and the time zone, and `extra` (the versions are kept inside the
    entry, see `core.cache.lookup`)."""
    user = request.user
    parts = [
        str(user.pk),
        request.method,
        request.build_absolute_uri(),
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        str(getattr(user, "time_zone", "")),
        *extra,
    ]
    return prefix + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def key_for(request, view) -> str:
    face = [request.headers.get("HX-Request", ""), getattr(request, "accepted_media_type", ""), view.basename or ""]
    return reader_key("api-lists:page:", request, *face)


def cached(request, view, answer):
    """The response `answer()` gives, from the cache when the same user asked
    for the same page since what it shows last changed (see the module doc);
    200 answers are kept."""
    if not data_cache_enabled() or not request.user.is_authenticated:
        return answer()
    keys = query_keys(view) | {api_settings.URL_FORMAT_OVERRIDE}
    if not all(reads(name, keys) for name in request.query_params):
        return answer()
    key = key_for(request, view)
    stamp, hit = lookup(key, reader_versions(request.user))
    if hit is not None:
        content, content_type = hit
        return HttpResponse(content, content_type=content_type)
    response = answer()
    if response.status_code == 200:

        def keep_rendered(rendered):
            keep(key, stamp, (rendered.content, rendered["Content-Type"]), data_cache_seconds())

        response.add_post_render_callback(keep_rendered)
    return response


class CachedListMixin:
    """Serve `list` through `cached`."""

    def list(self, request, *args, **kwargs):
        return cached(request, self, lambda: super(CachedListMixin, self).list(request, *args, **kwargs))
