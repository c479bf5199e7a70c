"""A per-process copy of a few cache keys, kept true by Redis pub/sub.

Serving a stored page costs one round trip to Redis, which here is most of
what the page costs. This keeps what was read in the process's memory and
drops it the moment any process forgets it: `forget()` deletes the keys in
Redis and publishes their names, and a listener thread in every process
drops its copies when the message arrives (well under a millisecond on one
machine). A value read from Redis while a forget was on its way is not
kept, so a copy is never older than the last forget it heard.

The copy is used only while the listener is subscribed; when it is not (no
Redis, a lost connection) every read goes to the cache as usual. Without
Redis (the embedded local-memory cache, already in the process) there is
nothing to copy and every call goes straight to the cache.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CHANNEL = "pages:forget"
#: What a cache that is down or out of reach raises.
UNREACHABLE = (RedisError, OSError)
#: How many values a process keeps; the least recently used go first.
MAX_ENTRIES = 2000
_RECONNECT_SECONDS = 1.0


def _on_redis() -> bool:
    # `cache` is a proxy; the backend itself is this thread's caches["default"].
    return isinstance(caches["default"], RedisCache)


class Mirror:
    def __init__(self) -> None:
        self._values: OrderedDict[str, tuple[Any, float]] = OrderedDict()
        self._lock = threading.Lock()
        #: Counts forgets heard, so a read can tell one passed it by.
        self._forgets = 0
        self._listening = False
        self._listener: threading.Thread | None = None
        self._started_in: int | None = None

    # Reading and writing -------------------------------------------------

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        """What the cache holds of these keys; nothing if it cannot be
        reached, so a page is rendered rather than refused."""
        try:
            return self._get_many(keys)
        except UNREACHABLE:
            logger.warning("The cache cannot be reached; rendering", exc_info=True)
            return {}

    def _get_many(self, keys: list[str]) -> dict[str, Any]:
        if not self._use():
            return cache.get_many(keys)
        found: dict[str, Any] = {}
        now = time.monotonic()
        with self._lock:
            for key in keys:
                kept = self._values.get(key)
                if kept is not None and kept[1] > now:
                    found[key] = kept[0]
                    self._values.move_to_end(key)
            forgets = self._forgets
        missing = [key for key in keys if key not in found]
        if missing:
            fetched = cache.get_many(missing)
            found.update(fetched)
            self._keep(fetched, seconds=60, forgets=forgets)
        return found

    def mark(self) -> int:
        """Where the forgets stand now; pass it to `set` for a value about to
        be read from the database."""
        with self._lock:
            return self._forgets

    def set(
        self, key: str, value: Any, timeout: int | None, *, since: int | None = None
    ) -> None:
        """Store a value; with `since` (from `mark`), only if no forget was
        heard after it, as the value may have been read before that change."""
        forgets = self.mark() if since is None else since
        with self._lock:
            if self._forgets != forgets:
                return
        try:
            cache.set(key, value, timeout=timeout)
        except UNREACHABLE:
            logger.warning("The cache cannot be reached; not stored", exc_info=True)
            return
        if self._use():
            self._keep({key: value}, seconds=timeout or 60, forgets=forgets)

    def forget(self, *keys: str) -> None:
        """Delete the keys in the cache and every process's copy of them.

        A change must not fail because the cache is away (the write it
        follows is done): the failure is logged as an error instead.
        """
        self._drop_here(keys)
        try:
            self._forget_everywhere(keys)
        except UNREACHABLE:
            logger.error(
                "The cache cannot be reached to forget %s", keys, exc_info=True
            )

    def _forget_everywhere(self, keys) -> None:
        if _on_redis():
            # Delete and announce in one round trip.
            backend = caches["default"]
            pipeline = self._client().pipeline(transaction=False)
            pipeline.delete(*(backend.make_and_validate_key(key) for key in keys))
            pipeline.publish(CHANNEL, "\n".join(keys))
            pipeline.execute()
        else:
            cache.delete_many(list(keys))

    def replace(self, key: str, value: Any, timeout: int | None) -> None:
        """Set the key in the cache and drop every process's copy of it
        (logged as an error, not raised, if the cache is away)."""
        self._drop_here([key])
        try:
            cache.set(key, value, timeout=timeout)
            self._announce([key])
        except UNREACHABLE:
            logger.error(
                "The cache cannot be reached to replace %s", key, exc_info=True
            )

    def _announce(self, keys) -> None:
        self._drop_here(keys)
        if _on_redis():
            self._client().publish(CHANNEL, "\n".join(keys))

    def _drop_here(self, keys) -> None:
        with self._lock:
            self._forgets += 1
            for key in keys:
                self._values.pop(key, None)

    def _keep(self, values: dict[str, Any], *, seconds: float, forgets: int) -> None:
        until = time.monotonic() + seconds
        with self._lock:
            if self._forgets != forgets or not self._listening:
                return  # a forget went by meanwhile: the values may be old
            for key, value in values.items():
                self._values[key] = (value, until)
                self._values.move_to_end(key)
            while len(self._values) > MAX_ENTRIES:
                self._values.popitem(last=False)

    # Listening -----------------------------------------------------------

    def _client(self):
        return caches["default"]._cache.get_client(write=True)

    def _use(self) -> bool:
        if not _on_redis():
            return False
        self._ensure_listener()
        return self._listening

    def _ensure_listener(self) -> None:
        # A forked worker inherits the parent's object but not its thread.
        if self._listener is not None and self._started_in == os.getpid():
            return
        with self._lock:
            if self._listener is not None and self._started_in == os.getpid():
                return
            self._listening = False
            self._values.clear()
            self._started_in = os.getpid()
            self._listener = threading.Thread(
                target=self._listen, name="pages-mirror", daemon=True
            )
            self._listener.start()

    def _listen(self) -> None:
        while True:
            if not _on_redis():  # the cache was reconfigured away from Redis
                with self._lock:
                    self._listening = False
                    self._listener = None
                return
            try:
                pubsub = self._client().pubsub(ignore_subscribe_messages=False)
                pubsub.subscribe(CHANNEL)
                for message in pubsub.listen():
                    if message["type"] == "subscribe":
                        with self._lock:
                            self._values.clear()
                            self._forgets += 1
                            self._listening = True
                    elif message["type"] == "message":
                        self._heard(message["data"])
            except Exception:  # any failure: stop copying, try again soon
                logger.warning("Page cache mirror lost Redis; retrying", exc_info=True)
            with self._lock:
                self._listening = False
                self._values.clear()
            time.sleep(_RECONNECT_SECONDS)

    def _heard(self, data: bytes | str) -> None:
        text = data.decode() if isinstance(data, bytes) else data
        with self._lock:
            self._forgets += 1
            for key in text.split("\n"):
                self._values.pop(key, None)


mirror = Mirror()
