"""Celery entry points of the analytics app: thin, they call the rollup and digest services."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import OperationalError

from abe.models import Workspace
from accounts.models import Account

from .services import rollups


@shared_task(
    name="analytics.tasks.facts_refresh_accounts_task",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    time_limit=600,
)
def facts_refresh_accounts_task(account_ids: list[int]) -> int:
    """After a scoring pass. Safe to repeat: a refresh deletes and re-inserts its range."""
    written = 0
    by_workspace: dict[int, list[int]] = {}
    for account_id, workspace_id in Account.objects.filter(pk__in=account_ids).values_list("pk", "workspace_id"):
        by_workspace.setdefault(workspace_id, []).append(account_id)
    for workspace in Workspace.objects.filter(pk__in=by_workspace):
        written += rollups.facts_refresh_accounts(workspace=workspace, account_ids=by_workspace[workspace.pk])
    return written


@shared_task(
    name="analytics.tasks.facts_refresh_changes_task",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    time_limit=600,
)
def facts_refresh_changes_task(workspace_id: int) -> int:
    """Opportunity, alert, task and stage changes since the watermark. Safe to repeat (idempotent refresh)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return 0 if workspace is None else rollups.facts_refresh_changes(workspace=workspace)


@shared_task(
    name="analytics.tasks.facts_rebuild_task",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    acks_late=True,
    time_limit=3600,
)
def facts_rebuild_task(workspace_id: int) -> dict[str, Any]:
    """Nightly reconciliation of one workspace. Safe to repeat: a rebuild replaces every fact."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return {} if workspace is None else rollups.facts_rebuild(workspace=workspace)


@shared_task(name="analytics.tasks.facts_refresh_changes_all", acks_late=True, time_limit=300)
def facts_refresh_changes_all() -> int:
    """Fan out per workspace, so one failing workspace never stops the others."""
    ids = list(Workspace.objects.values_list("pk", flat=True))
    for workspace_id in ids:
        facts_refresh_changes_task.delay(workspace_id)
    return len(ids)


@shared_task(name="analytics.tasks.facts_rebuild_all", acks_late=True, time_limit=300)
def facts_rebuild_all() -> int:
    ids = list(Workspace.objects.values_list("pk", flat=True))
    for workspace_id in ids:
        facts_rebuild_task.delay(workspace_id)
    return len(ids)


@shared_task(name="analytics.tasks.digests_send_task", acks_late=True, time_limit=600)
def digests_send_task(workspace_id: int) -> int:
    """Safe to repeat: a subscription sent in the last 6 days is skipped."""
    from .services.digest import digests_send

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return 0 if workspace is None else digests_send(workspace=workspace)


@shared_task(name="analytics.tasks.digests_send_all", acks_late=True, time_limit=300)
def digests_send_all() -> int:
    from .models import DigestSubscription

    ids = list(DigestSubscription.objects.values_list("workspace_id", flat=True).distinct())
    for workspace_id in ids:
        digests_send_task.delay(workspace_id)
    return len(ids)
