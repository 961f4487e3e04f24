"""Versions of cached data, and Django's Redis cache keeping one client per pool.

`version(name)` is a token stored in the cache; `new_version(name)` replaces
it. An entry keeps the version it was made under (`set_current`) and is served
only while that is still the current one (`get_current`, which reads both in
one round trip); after a new version, old entries are never read again (they
expire). Used by the data version (`core/data_version.py`: API lists, whole
pages, the session's user) and the cached permission sets.

Django's Redis cache, keeping one client per connection pool:

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every
cache call, and each one builds its table of response callbacks (some 170
entries): about half a millisecond per call, several calls per request
(session, throttling, list cache). A `redis.Redis` is safe to share between
threads (it takes a connection from its pool per command), so one per pool
serves them all.
"""

import uuid

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient


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


def version(name: str) -> str:
    """The current version token of `name` (made on first use, or after eviction)."""
    token = cache.get(name)
    if token is None:
        cache.add(name, uuid.uuid4().hex, None)
        token = cache.get(name)
    return token


def new_version(name: str) -> None:
    """Everything cached under the old version of `name` is stale from now on."""
    cache.set(name, uuid.uuid4().hex, None)


def get_current(key: str, name: str) -> tuple[str, object | None]:
    """The current version of `name`, and what `key` holds if it was stored
    under that version (None otherwise): one round trip to the cache."""
    found = cache.get_many([name, key])
    current = found.get(name) or version(name)
    entry = found.get(key)
    if entry is not None and entry[0] == current:
        return current, entry[1]
    return current, None


def set_current(key: str, token: str, value, seconds: float) -> None:
    """Keep `value` under `key` as made under version `token` (read before making it:
    a write committed meanwhile has replaced the version, so the entry is never served)."""
    cache.set(key, (token, value), seconds)
