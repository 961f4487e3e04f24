"""core.cache: versions scoped to what changed, moved on when a write commits,
and entries served only under the versions they were made under; and
ReusingRedisCache, Django's Redis cache with one client per pool, against the
real Redis on loopback (skipped where there is none)."""

import socket
import threading

import pytest
from django.db import transaction

from core.cache import (
    ALL_OWNERS,
    ReusingRedisCache,
    keep,
    lookup,
    owner_version,
    owners_changed,
    user_version,
    users_changed,
)
from core.services.stats import AttemptsWritten
from core.tests.factories import MailingFactory


def redis_is_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not redis_is_up(), reason="no Redis on 127.0.0.1:6379 (CI has one)")


def made(key, names, value="fresh"):
    """Ask for `key` under `names`, keeping `value` if it was not there; says whether it had to."""
    stamp, found = lookup(key, names)
    if found is None:
        keep(key, stamp, value, 60)
    return found is None


@pytest.mark.django_db(transaction=True)
def test_an_entry_is_served_while_every_version_it_was_made_under_holds():
    names = (owner_version(1), user_version(1))
    assert made("page", names)
    assert not made("page", names)
    users_changed([2])  # someone else's account
    assert not made("page", names)
    users_changed([1])
    assert made("page", names)
    assert not made("page", names)


@pytest.mark.django_db(transaction=True)
def test_an_owners_change_moves_their_version_and_everyones_once_it_commits():
    assert made("one", (owner_version(1),)) and made("two", (owner_version(2),)) and made("all", (ALL_OWNERS,))
    with transaction.atomic():
        owners_changed([1])
        assert not made("one", (owner_version(1),))  # not before the write commits
    assert made("one", (owner_version(1),))
    assert made("all", (ALL_OWNERS,))
    assert not made("two", (owner_version(2),))


@pytest.mark.django_db(transaction=True)
def test_a_change_that_rolls_back_moves_nothing():
    made("one", (owner_version(1),))
    with pytest.raises(RuntimeError), transaction.atomic():
        owners_changed([1])
        raise RuntimeError
    assert not made("one", (owner_version(1),))


@pytest.mark.django_db(transaction=True)
def test_a_reader_that_read_before_a_commit_cannot_keep_stale_data_under_the_new_version():
    stamp, _ = lookup("page", (owner_version(1),))  # a reader reads the versions, then the old rows…
    owners_changed([1])  # … a write commits meanwhile …
    keep("page", stamp, "stale", 60)  # … and the reader keeps what it read
    assert lookup("page", (owner_version(1),))[1] is None


@pytest.fixture
def redis_cache():
    backend = ReusingRedisCache("redis://127.0.0.1:6379/9", {"KEY_PREFIX": "cache-test"})
    yield backend
    backend.clear()


@needs_redis
def test_reads_and_writes_through_one_client(redis_cache):
    cache = redis_cache
    cache.set("greeting", {"text": "Привет"}, 30)
    assert cache.get("greeting") == {"text": "Привет"}
    assert cache.get_many(["greeting", "missing"]) == {"greeting": {"text": "Привет"}}
    assert cache._cache.get_client() is cache._cache.get_client(write=True)  # one pool, one client


@needs_redis
def test_the_shared_client_serves_threads(redis_cache):
    cache = redis_cache
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


@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_tells_readers_at_once_then_at_most_once_in_a_while(owner, other_user):
    mine = MailingFactory(owner=owner)
    MailingFactory(owner=other_user)
    tell = AttemptsWritten(every=3600)
    made("mine", (owner_version(owner.pk),))
    made("theirs", (owner_version(other_user.pk),))
    tell([mine.pk])
    assert made("mine", (owner_version(owner.pk),))  # the first results are seen at once
    assert not made("theirs", (owner_version(other_user.pk),))  # another owner's data did not change
    tell([mine.pk])
    assert not made("mine", (owner_version(owner.pk),))  # not a cache write per message
