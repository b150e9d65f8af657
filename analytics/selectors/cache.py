"""The dashboards' figures cached per (workspace, page, filters, rollup version).

Every rollup refresh (after scoring, the five-minute change refresh, the nightly rebuild) and every change to
spend or economics settings moves the workspace's rollup version on, so a cached figure never outlives the
rollups it was read from; live parts of a page (accounts standing in a stage now, alerts by rule) are at most
``CACHE_SECONDS`` old. A cache outage only costs time: ``abe.cache`` answers misses when Redis is down.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.utils import translation

from abe import l10n
from abe.models import Workspace

from ..models import RollupState
from .filters import KpiFilters

CACHE_SECONDS = 300
T = TypeVar("T")


def rollup_version(*, workspace: Workspace) -> int:
    version = RollupState.objects.for_workspace(workspace).values_list("version", flat=True).first()
    return int(version or 0)


def cached(
    *,
    workspace: Workspace,
    name: str,
    filters: KpiFilters | None,
    compute: Callable[[], T],
    version: int | None = None,
) -> T:
    """``compute()`` once per workspace, name, filters, rollup version, language and currency (for
    ``CACHE_SECONDS`` at most).

    ``version``: the rollup version when the caller already read it (a page reads it once for all its parts)."""
    # The workspace's creation time keeps a reused primary key (a recreated database) from reading old entries.
    key = ":".join(
        [
            "analytics",
            str(workspace.pk),
            str(workspace.created_at.timestamp()),
            str(rollup_version(workspace=workspace) if version is None else version),
            name,
            # The tables hold words and formatted figures: one entry per language and currency (abe.l10n).
            translation.get_language() or "",
            l10n.active_currency(),
            # Industries and dates in a key: hashed, so any value makes a valid key for every backend.
            hashlib.sha1((filters.cache_key() if filters else "").encode(), usedforsecurity=False).hexdigest(),
        ]
    )
    hit = cache.get(key)
    if hit is not None:
        found: T = hit
        return found
    value = compute()
    cache.set(key, value, CACHE_SECONDS)
    return value
