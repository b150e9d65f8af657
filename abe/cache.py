"""A Redis cache that degrades to "no cache" when Redis is down, and an atomic fixed-window counter.

The portal uses its cache for speed only (tier-board figures, rate-limit counters): with Redis unreachable a
read is a miss and a write is skipped, with a logged warning, so pages and ingest keep answering. The rate
limit decides for itself what to do when counting fails (``window_hit`` raises ``CacheUnavailable``).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
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
