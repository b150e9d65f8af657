"""Per-key rate limit of ingestion (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["events"]``); 429 with Retry-After."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


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
