"""Each process's copy of stored pages is dropped the moment any process
changes them, and a value read across a change is never kept."""

import time

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from pages.mirror import CHANNEL, Mirror
from tests.conftest import missing_service


@pytest.fixture
def mirror():
    if not isinstance(caches["default"], RedisCache):
        missing_service("REDIS_URL is not set: the cache is local memory, no copy")
    copy = Mirror()
    copy.get_many(["warm-up"])  # starts the listener
    deadline = time.monotonic() + 5
    while not copy._listening and time.monotonic() < deadline:
        time.sleep(0.01)
    assert copy._listening
    return copy


def reads_of_the_cache(monkeypatch) -> list[list[str]]:
    reads: list[list[str]] = []
    original = cache.get_many

    def counting(keys, *args, **kwargs):
        reads.append(list(keys))
        return original(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", counting)
    return reads


def eventually(check) -> None:
    deadline = time.monotonic() + 2
    while not check() and time.monotonic() < deadline:
        time.sleep(0.005)
    assert check()


def test_a_value_read_once_is_served_from_the_copy(mirror, monkeypatch):
    cache.set("mirror-test:a", "first")
    reads = reads_of_the_cache(monkeypatch)
    assert mirror.get_many(["mirror-test:a"]) == {"mirror-test:a": "first"}
    assert mirror.get_many(["mirror-test:a"]) == {"mirror-test:a": "first"}
    assert reads == [["mirror-test:a"]]


def test_a_change_published_by_another_process_drops_the_copy(mirror):
    cache.set("mirror-test:b", "old")
    assert mirror.get_many(["mirror-test:b"]) == {"mirror-test:b": "old"}
    # Another process: a new value, then the announcement on the channel.
    cache.set("mirror-test:b", "new")
    caches["default"]._cache.get_client(write=True).publish(CHANNEL, "mirror-test:b")
    eventually(lambda: mirror.get_many(["mirror-test:b"]) == {"mirror-test:b": "new"})


def test_replace_and_forget_reach_every_copy(mirror):
    other = Mirror()
    other.get_many(["warm-up"])
    eventually(lambda: other._listening)
    cache.set("mirror-test:c", "one")
    assert other.get_many(["mirror-test:c"]) == {"mirror-test:c": "one"}
    mirror.replace("mirror-test:c", "two", timeout=60)
    eventually(lambda: other.get_many(["mirror-test:c"]) == {"mirror-test:c": "two"})
    mirror.forget("mirror-test:c")
    eventually(lambda: other.get_many(["mirror-test:c"]) == {})


def test_a_value_read_before_a_change_is_not_stored(mirror):
    since = mirror.mark()
    caches["default"]._cache.get_client(write=True).publish(
        CHANNEL, "mirror-test:elsewhere"
    )
    eventually(lambda: mirror.mark() != since)
    mirror.set("mirror-test:d", "read before the change", timeout=60, since=since)
    assert cache.get("mirror-test:d") is None
    assert mirror.get_many(["mirror-test:d"]) == {}
