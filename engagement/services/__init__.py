"""Writes of the engagement app: ingestion, scoring passes, configuration, CSV import (one module each)."""

from .config import (
    ConfigPreview,
    engagement_config_get,
    engagement_config_preview,
    engagement_config_rules,
    engagement_config_update,
)
from .ingest import MAX_BATCH, IngestResult, events_ingest
from .scoring import (
    accounts_score,
    pending_batch_retry,
    scores_dry_run,
    scores_preview,
    scores_recompute,
    workspace_rescore,
)

__all__ = [
    "MAX_BATCH",
    "ConfigPreview",
    "IngestResult",
    "accounts_score",
    "engagement_config_get",
    "engagement_config_preview",
    "engagement_config_rules",
    "engagement_config_update",
    "events_ingest",
    "pending_batch_retry",
    "scores_dry_run",
    "scores_preview",
    "scores_recompute",
    "workspace_rescore",
]
