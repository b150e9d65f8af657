"""The asset-performance rollup, written by engagement's refresh (engagement sits above content)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from abe.models import Workspace

from ..models import AssetPerformance, ContentAsset


@transaction.atomic
def asset_performance_store(
    *, workspace: Workspace, rows: dict[tuple[int, int, str], dict[str, Any]], computed_at: datetime
) -> int:
    """Replace the workspace's rollup with ``rows`` keyed by ``(asset id, persona id or 0, stage or "")``."""
    AssetPerformance.objects.for_workspace(workspace).delete()
    live = set(ContentAsset.objects.for_workspace(workspace).values_list("pk", flat=True))
    objs = [
        AssetPerformance(
            workspace=workspace,
            asset_id=asset_id,
            persona_key=persona_key,
            stage=stage,
            accounts_reached=row["accounts_reached"],
            contacts_reached=len(row["contacts"]),
            engagements=row["engagements"],
            accounts_moved=row["accounts_moved"],
            pipeline_influenced=row["pipeline_influenced"],
            computed_at=computed_at,
        )
        for (asset_id, persona_key, stage), row in rows.items()
        if asset_id in live
    ]
    AssetPerformance.objects.bulk_create(objs, batch_size=2000)
    return len(objs)
