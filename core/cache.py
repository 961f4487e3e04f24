"""What is cached until the data behind it changes, and Django's Redis cache
keeping one client per pool.

Versions
--------
A version is a token in the cache named after what it stands for:

- `owner_version(id)`: one owner's data — their clients, messages, mailings,
  attempts and report figures, and what others see of them (name, address);
- `ALL_OWNERS`: everyone's data, for those who see all of it (managers,
  admins); every owner's new version is a new one of this too;
- `user_version(id)`: one user's account — blocking, password, profile,
  roles and permissions;
- `ROLES`: what the roles themselves allow (a group's permissions).

The code that writes says what it changed, once its transaction commits
(`owners_changed`, `users_changed`, `roles_changed`; the signals in
`core/signals.py` for single saves and deletes, the services, planning, the
dispatcher's write-back and the statistics job for bulk writes). A write
that rolls back changes nothing.

A reader keeps an entry with the versions it was made under
(`lookup` then `keep`): it is served only while all of them
are still current — one round trip reads the versions and the entry — and
never again after any of them moves on (it then expires). A reader reads the
versions before it reads the data: a write that commits meanwhile leaves its
entry under versions already stale.

The data cache — API lists, whole pages, the user of a session — is on only
with a shared cache (Redis, `REDIS_URL`) and `DATA_CACHE_SECONDS > 0`
(`data_cache_enabled`): the versions must be the same for every process.
Its entries also expire after that many seconds, a backstop for changes
made outside the service (a manual SQL session).

Django's Redis cache, keeping one client per connection pool
-------------------------------------------------------------
Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every
cache call, and each one builds its table of response callbacks (some 170
entries): about half a millisecond per call, several calls per request
(session, throttling, list cache). A `redis.Redis` is safe to share between
threads (it takes a connection from its pool per command), so one per pool
serves them all.
"""

import uuid
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import transaction


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(index))
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


# The data cache ------------------------------------------------------------------


def data_cache_enabled() -> bool:
    return getattr(settings, "DATA_CACHE_SECONDS", 0) > 0


def data_cache_seconds() -> int:
    """How long an entry of the data cache may live at most."""
    return settings.DATA_CACHE_SECONDS


# Names of versions ------------------------------------------------------------------

ALL_OWNERS = "version:owners"
ROLES = "version:roles"


def owner_version(owner_id: int) -> str:
    return f"version:owner:{owner_id}"


def user_version(user_id: int) -> str:
    return f"version:user:{user_id}"


# Writers ------------------------------------------------------------------------------


def bump(*names: str) -> None:
    """New versions of `names` now: whatever was kept under the old ones is stale."""
    if names:
        cache.set_many({name: uuid.uuid4().hex for name in names}, None)


def bump_after_commit(*names: str, using: str | None = None) -> None:
    """New versions of `names` once the current transaction commits (now outside
    one); nothing if it rolls back. Not before: a reader that read the old rows
    meanwhile would keep them under the new versions."""
    if not names:
        return

    def bump_names():
        bump(*names)

    # robust: a cache that is down must not fail a write that committed (the entries expire)
    transaction.on_commit(bump_names, using=using, robust=True)


def owners_changed(owner_ids: Iterable[int], *, using: str | None = None) -> None:
    """The data of these owners changed (and so everyone's)."""
    names = sorted({owner_version(owner_id) for owner_id in owner_ids if owner_id is not None})
    if names:
        bump_after_commit(*names, ALL_OWNERS, using=using)


def users_changed(user_ids: Iterable[int], *, using: str | None = None) -> None:
    """These users' accounts (blocking, password, profile, roles, permissions) changed."""
    bump_after_commit(*sorted({user_version(user_id) for user_id in user_ids}), using=using)


def roles_changed(*, using: str | None = None) -> None:
    """What a role allows changed: every user's permissions may have."""
    bump_after_commit(ROLES, using=using)


# Readers ------------------------------------------------------------------------------

Stamp = tuple[str, ...]


def lookup(key: str, names: Sequence[str]) -> tuple[Stamp, object | None]:
    """The current versions of `names`, and what `key` holds if it was kept
    under exactly those (None otherwise): one round trip to the cache. A
    version not in the cache yet (first use, eviction) is made."""
    found = cache.get_many([*names, key])
    tokens = []
    for name in names:
        token = found.get(name)
        if token is None:
            cache.add(name, uuid.uuid4().hex, None)
            token = cache.get(name)
        tokens.append(token)
    stamp = tuple(tokens)
    entry = found.get(key)
    if entry is not None and entry[0] == stamp:
        return stamp, entry[1]
    return stamp, None


def keep(key: str, stamp: Stamp, value, seconds: float) -> None:
    """Keep `value` under `key`, made under the versions `stamp` (read by
    `lookup` before the data was read)."""
    cache.set(key, (stamp, value), seconds)
