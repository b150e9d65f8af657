"""Per-key rate limit of ingestion (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["events"]``); 429 with Retry-After.

A fixed window counted with one atomic increment per request (Redis ``INCR`` + ``EXPIRE`` in one transaction),
so 50 concurrent clients get exactly the rate, not a few percent more (a read-then-write history list races).
With the cache unreachable the limit fails open with a logged warning: ingest keeps storing events.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from abe.cache import CacheUnavailable, window_hit

logger = logging.getLogger(__name__)


class EventsRateThrottle(SimpleRateThrottle):
    scope = "events"

    def get_rate(self) -> str | None:
        # Read at request time (not import time), so a deployment or a test can change it.
        config: dict[str, Any] = settings.REST_FRAMEWORK
        return config.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)

    def get_cache_key(self, request, view) -> str:
        key = getattr(request, "api_key", None)
        if key is not None:
            ident = f"key-{key.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        num_requests, duration = self.parse_rate(self.rate)
        if num_requests is None or duration is None:
            return True
        self.num_requests, self.duration = num_requests, duration
        now = self.timer()
        window = int(now // duration)
        self.wait_seconds = (window + 1) * duration - now
        try:
            count = window_hit(f"{self.get_cache_key(request, view)}:{window}", duration)
        except CacheUnavailable as exc:
            logger.warning("Rate limit not applied (cache unavailable: %s); request let through", exc)
            return True
        return count <= num_requests

    def wait(self) -> float | None:
        return max(1.0, self.wait_seconds)
