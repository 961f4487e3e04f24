"""The data version: a token in the shared cache that every write to the
service's tables replaces, so anything cached under an older one is never
served again.

Readers keep it inside what they cache (`core.cache.get_current` /
`set_current`): the API's busiest lists (`api/list_cache.py`), whole web pages
(`web/page_cache.py`) and the logged-in user of each request (`core.auth`).

The version is bumped by a database execute wrapper that every connection of
every process gets (`install()`, called when the app is ready): any INSERT,
UPDATE or DELETE on a `core_`, `auth_` or `authtoken_` table — through the ORM,
a bulk update or the dispatcher's own `executemany` write-back, the statistics
job's recounts, the admin — bumps it once its transaction commits. Writes to
other tables (sessions, login attempts, cron logs, the blog) do not.

The version lives in the cache, so every process must share it: it is kept,
and these caches are on, only with a shared cache (Redis, `REDIS_URL`) and
`DATA_CACHE_SECONDS > 0`. Entries also expire after that many seconds, a
backstop for changes made outside the service (a manual SQL session).
"""

import re

from django.conf import settings
from django.db import transaction
from django.db.backends.signals import connection_created

from core.cache import new_version, version

KEY = "data:version"
_WRITE = re.compile(r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(?:core_|auth_|authtoken_)', re.IGNORECASE)


def enabled() -> bool:
    return getattr(settings, "DATA_CACHE_SECONDS", 0) > 0


def seconds() -> int:
    """How long an entry made under a version may live at most."""
    return settings.DATA_CACHE_SECONDS


def bump() -> None:
    """A new data version: everything cached under the old one is stale from now on."""
    new_version(KEY)


def current() -> str:
    return version(KEY)


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
    connection_created.connect(_watch, dispatch_uid="core.data_version")
