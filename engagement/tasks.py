"""Celery entry points of the engagement app: thin, each calls one service.

Every task is safe to repeat: a scoring pass recomputes from stored state and writes the same result again.
"""

from __future__ import annotations

from celery import shared_task

from abe.models import Workspace

from .services import accounts_score, scores_recompute, workspace_rescore


@shared_task(time_limit=300)
def engagement_score_accounts_task(workspace_id: int, account_ids: list[int]) -> int:
    """One per ingested batch: rescore the accounts that received events. Safe to repeat."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return len(accounts_score(workspace=workspace, account_ids=account_ids))


@shared_task(time_limit=3600)
def engagement_recompute_task(workspace_id: int) -> int:
    """After a configuration change: rebuild components from the events and rescore everything. Safe to repeat."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return len(scores_recompute(workspace=workspace))


@shared_task(time_limit=3600)
def engagement_rescore_all_task() -> int:
    """Beat: decay, momentum windows and time-based stages move without events; also writes today's snapshot.

    Safe to repeat: the snapshot of a day is upserted.
    """
    changed = 0
    for workspace in Workspace.objects.all():
        changed += len(workspace_rescore(workspace=workspace))
    return changed
