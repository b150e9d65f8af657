"""Celery entry points of the analytics app: thin, they call the rollup and digest services.

Names follow ``abe.tasks``: ``<entity>_<action>_task`` registered as ``analytics.tasks.<entity>_<action>``;
retries, backoff and soft limits come from the base task.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from abe.models import Workspace

from .services import rollups


@shared_task(time_limit=600)
def facts_refresh_accounts_task(
    workspace_id: int, account_ids: list[int], config_change: dict[str, Any] | None = None
) -> int:
    """The after-scoring hook (``config_change`` is not needed here). Safe to repeat: a refresh deletes and
    re-inserts its range."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return rollups.facts_refresh_accounts(workspace=workspace, account_ids=account_ids)


@shared_task(time_limit=600)
def facts_refresh_changes_task(workspace_id: int) -> int:
    """Opportunity, alert, task and stage changes since the watermark. Safe to repeat (idempotent refresh)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return 0 if workspace is None else rollups.facts_refresh_changes(workspace=workspace)


@shared_task(time_limit=600)
def facts_rebuild_task(workspace_id: int) -> dict[str, Any]:
    """Nightly reconciliation of one workspace. Safe to repeat: a rebuild replaces every fact."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return {} if workspace is None else rollups.facts_rebuild(workspace=workspace)


@shared_task(time_limit=300)
def facts_refresh_changes_all_task() -> int:
    """Fan out per workspace, so one failing workspace never stops the others. Safe to repeat."""
    ids = list(Workspace.objects.values_list("pk", flat=True))
    for workspace_id in ids:
        facts_refresh_changes_task.delay(workspace_id)
    return len(ids)


@shared_task(time_limit=300)
def facts_rebuild_all_task() -> int:
    """Fan out the nightly rebuild per workspace. Safe to repeat."""
    ids = list(Workspace.objects.values_list("pk", flat=True))
    for workspace_id in ids:
        facts_rebuild_task.delay(workspace_id)
    return len(ids)


@shared_task(time_limit=600)
def digests_send_task(workspace_id: int) -> int:
    """Safe to repeat: a subscription sent in the last 6 days is skipped."""
    from .services.digest import digests_send

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return 0 if workspace is None else digests_send(workspace=workspace)


@shared_task(time_limit=300)
def digests_send_all_task() -> int:
    """Fan out the weekly digest per workspace with subscribers. Safe to repeat."""
    from .models import DigestSubscription

    ids = list(DigestSubscription.objects.values_list("workspace_id", flat=True).distinct())
    for workspace_id in ids:
        digests_send_task.delay(workspace_id)
    return len(ids)
