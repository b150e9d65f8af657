"""The asset-performance rollup, computed by engagement's refresh (engagement sits above content)."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from abe.models import Workspace

from ..models import AssetPerformance


@transaction.atomic
def asset_performance_replace(*, workspace: Workspace, statement: str, params: list[Any]) -> int:
    """Replace the workspace's rollup with the rows ``statement`` (an ``INSERT ... SELECT`` into the rollup table,
    built by the refresh) writes, in one transaction: readers see the old rows or the new ones, never a mix."""
    rows = AssetPerformance.objects.for_workspace(workspace)
    rows._raw_delete(rows.db)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
    # Counted, not the cursor's rowcount: SQLite answers -1 for an INSERT behind a WITH.
    return rows.count()
