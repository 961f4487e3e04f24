"""core.cache.ReusingRedisCache: Django's Redis cache with one client per pool,
against the real Redis on loopback (skipped where there is none)."""

import socket
import threading

import pytest

from core.cache import ReusingRedisCache


def redis_is_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not redis_is_up(), reason="no Redis on 127.0.0.1:6379 (CI has one)")


@pytest.fixture
def cache():
    backend = ReusingRedisCache("redis://127.0.0.1:6379/9", {"KEY_PREFIX": "cache-test"})
    yield backend
    backend.clear()


def test_reads_and_writes_through_one_client(cache):
    cache.set("greeting", {"text": "Привет"}, 30)
    assert cache.get("greeting") == {"text": "Привет"}
    assert cache.get_many(["greeting", "missing"]) == {"greeting": {"text": "Привет"}}
    assert cache._cache.get_client() is cache._cache.get_client(write=True)  # one pool, one client


def test_the_shared_client_serves_threads(cache):
    errors = []

    def work(n):
        try:
            for i in range(50):
                cache.set(f"k{n}-{i}", i)
                assert cache.get(f"k{n}-{i}") == i
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
