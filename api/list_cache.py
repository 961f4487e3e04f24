"""A response cache for the busiest list GETs (mailings, attempts, reports and
the reports' per-day series).

A rendered list page is kept in the configured cache under a key made of the
user, the full URL (scheme, host, path and query), the method, the face (JSON
or the htmx fragment) and the negotiated media type, the language and the time
zone, together with the **data version** it was rendered under, which every
write to the service's tables replaces. So a page is never served after a
write that could change it: the next GET finds an older version in the entry
and renders afresh. (Whole web pages use the same key and version:
`web/page_cache.py`.)

The version is bumped by a database execute wrapper that every connection of
every process gets (`install()`, called when the app is ready): any INSERT,
UPDATE or DELETE on a `core_`, `auth_` or `authtoken_` table — through the ORM,
a bulk update or the dispatcher's own `executemany` write-back, the statistics
job's recounts, the admin — bumps it once its transaction commits. Writes to
other tables (sessions, login attempts, cron logs, the blog) do not.

The version lives in the cache, so every process must share it: the cache is
on only with a shared cache (Redis, `REDIS_URL`), `API_LIST_CACHE_SECONDS > 0`.
Entries also expire after that many seconds, a backstop for changes made
outside the service (a manual SQL session).
"""

import hashlib
import re

from django.conf import settings
from django.db import transaction
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.utils import timezone, translation

from core.cache import get_current, new_version, set_current, version

VERSION_KEY = "api-lists:data-version"
_WRITE = re.compile(r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(?:core_|auth_|authtoken_)', re.IGNORECASE)


def enabled() -> bool:
    return getattr(settings, "API_LIST_CACHE_SECONDS", 0) > 0


def bump() -> None:
    """A new data version: every cached list page is stale from now on."""
    new_version(VERSION_KEY)


def data_version() -> str:
    return version(VERSION_KEY)


def _bump_after_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if enabled() and _WRITE.search(sql):
        # robust: a cache that is down must not fail a write that committed (the entries expire)
        transaction.on_commit(bump, using=context["connection"].alias, robust=True)
    return result


def _watch(sender, connection, **kwargs):
    if _bump_after_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_bump_after_writes)


def install() -> None:
    """Watch the writes of every database connection this process opens."""
    connection_created.connect(_watch, dispatch_uid="api.list_cache")


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
    if not enabled():
        return answer()
    key = key_for(request, view)
    token, hit = get_current(key, VERSION_KEY)
    if hit is not None:
        content, content_type = hit
        return HttpResponse(content, content_type=content_type)
    response = answer()
    if response.status_code == 200:

        def keep(rendered):
            set_current(key, token, (rendered.content, rendered["Content-Type"]), settings.API_LIST_CACHE_SECONDS)

        response.add_post_render_callback(keep)
    return response


class CachedListMixin:
    """Serve `list` through `cached`."""

    def list(self, request, *args, **kwargs):
        return cached(request, self, lambda: super(CachedListMixin, self).list(request, *args, **kwargs))
