"""A response cache for the busiest list GETs (mailings, attempts, reports and
the reports' per-day series).

A rendered list page is kept in the configured cache under a key made of the
user, the full URL (scheme, host, path and query), the method, the face (JSON
or the htmx fragment) and the negotiated media type, the language and the time
zone, together with the data version it was rendered under
(`core/data_version.py`), which every write to the service's tables replaces.
So a page is never served after a write that could change it: the next GET
finds an older version in the entry and renders afresh. Whole web pages use the
same key and version (`web/page_cache.py`).

On only with a shared cache (Redis, `REDIS_URL`) and `DATA_CACHE_SECONDS > 0`;
entries live that many seconds at most.
"""

import hashlib

from django.http import HttpResponse
from django.utils import timezone, translation

from core import data_version
from core.cache import get_current, set_current


def reader_key(prefix: str, request, *extra: str) -> str:
    """A cache key for what `request` reads: the user, the full URL, the
    language and the time zone, and `extra` (the data version is kept inside
    the entry, see `core.cache.get_current`)."""
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
    for the same page since the last write (see the module doc); 200 answers
    are kept."""
    if not data_version.enabled():
        return answer()
    key = key_for(request, view)
    token, hit = get_current(key, data_version.KEY)
    if hit is not None:
        content, content_type = hit
        return HttpResponse(content, content_type=content_type)
    response = answer()
    if response.status_code == 200:

        def keep(rendered):
            set_current(key, token, (rendered.content, rendered["Content-Type"]), data_version.seconds())

        response.add_post_render_callback(keep)
    return response


class CachedListMixin:
    """Serve `list` through `cached`."""

    def list(self, request, *args, **kwargs):
        return cached(request, self, lambda: super(CachedListMixin, self).list(request, *args, **kwargs))
