"""A Redis cache that degrades to "no cache" when Redis is down, and an atomic fixed-window counter.

The portal uses its cache for speed only (tier-board figures, rate-limit counters): with Redis unreachable a
read is a miss and a write is skipped, with a logged warning, so pages and ingest keep answering. The rate
limit decides for itself what to do when counting fails (``window_hit`` raises ``CacheUnavailable``).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
_last_warning = 0.0


class CacheUnavailable(Exception):
    """The cache could not be reached."""


def _warn(operation: str, exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 10:  # one line per 10 s, not one per request
        _last_warning = now
        logger.warning("Cache unavailable (%s: %s); carrying on without it", operation, exc)


class ResilientRedisCache(RedisCache):
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except RedisError as exc:
            _warn("get", exc)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except RedisError as exc:
            _warn("get_many", exc)
            return {}

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except RedisError as exc:
            _warn("set", exc)

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except RedisError as exc:
            _warn("set_many", exc)
            return list(data)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return bool(super().add(key, value, timeout, version))
        except RedisError as exc:
            _warn("add", exc)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except RedisError as exc:
            _warn("delete", exc)
            return False

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except RedisError as exc:
            _warn("delete_many", exc)

    def window_hit(self, key: str, window_seconds: int) -> int:
        """INCR and EXPIRE in one MULTI: the count of this window, exact under any concurrency."""
        full_key = self.make_and_validate_key(key)
        try:
            pipe = self._cache.get_client(full_key, write=True).pipeline(transaction=True)
            pipe.incr(full_key)
            pipe.expire(full_key, window_seconds + 1)
            count, _ = pipe.execute()
        except RedisError as exc:
            raise CacheUnavailable(str(exc)) from exc
        return int(count)


def window_hit(key: str, window_seconds: int) -> int:
    """Count one hit in a fixed time window (the key carries the window); raises ``CacheUnavailable``."""
    if isinstance(cache, ResilientRedisCache) or hasattr(cache, "window_hit"):
        return int(cache.window_hit(key, window_seconds))
    try:
        # Local-memory cache (embedded default, tests): add + incr run under the cache's lock.
        cache.add(key, 0, window_seconds + 1)
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window_seconds + 1)
        return 1
    except Exception as exc:
        raise CacheUnavailable(str(exc)) from exc


# Versioned reads: small per-workspace settings that pages read on every request and that change only through
# services. A reader fetches the version and the data in one round trip and uses the data only if it was stored
# under the current version; a writer sets a new version after its commit. The version is read *before* the
# database, so a copy a reader took from the database before a commit (racing the writer) carries the old version
# and is never served after it. With the cache unreachable every read goes to the database; a change committed
# while the cache could not be told shows after at most the data's timeout.
VERSION_TTL = 7 * 24 * 3600


def versioned_read(version_key: str, data_key: str, load: Callable[[], Any], timeout: int) -> Any:
    """``load()``'s value, from the cache when no change was committed since it was stored."""
    found = cache.get_many([version_key, data_key])
    version, data = found.get(version_key), found.get(data_key)
    if version is not None and isinstance(data, tuple) and len(data) == 2 and data[0] == version:
        return data[1]
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(version_key, version, VERSION_TTL):
            version = cache.get(version_key)  # another request made it first (None: the cache is down)
    value = load()
    if version is not None:
        cache.set(data_key, (version, value), timeout)
    return value


def version_bump_on_commit(version_key: str) -> None:
    """Every copy stored under ``version_key``'s current version is stale once the current transaction commits."""
    transaction.on_commit(lambda: cache.set(version_key, uuid.uuid4().hex, VERSION_TTL))
