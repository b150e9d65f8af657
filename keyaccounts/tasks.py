"""Celery entry points for key accounts: thin, each calls a service; periodic work fans out per workspace.

Retries, backoff and time limits come from ``abe.tasks.BaseTask``; names follow ``keyaccounts.tasks.<name>``.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from abe.models import Workspace

from .services import news, plans, postsale


@shared_task(time_limit=60)
def news_fetch_all_task() -> int:
    """Fan out: one task per workspace with active feeds, so one failing workspace never stops the others."""
    from .models import NewsFeed

    ids = list(NewsFeed.objects.filter(is_active=True).values_list("workspace_id", flat=True).distinct())
    for workspace_id in ids:
        news_fetch_workspace_task.delay(workspace_id)
    return len(ids)


@shared_task(time_limit=900)
def news_fetch_workspace_task(workspace_id: int) -> dict[str, Any]:
    """Safe to repeat: entries, matches and trigger events are each stored once (see services.news)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return {}
    return news.news_fetch_workspace(workspace=workspace)


@shared_task(time_limit=60)
def key_accounts_daily_all_task() -> int:
    ids = list(Workspace.objects.values_list("id", flat=True))
    for workspace_id in ids:
        key_accounts_daily_task.delay(workspace_id)
    return len(ids)


@shared_task(time_limit=1800)
def key_accounts_daily_task(workspace_id: int) -> dict[str, Any]:
    """Safe to repeat: tasks per occurrence, and alerts per plan and due date, are deduplicated."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return {}
    plans.key_account_settings_get(workspace=workspace)
    return {
        "activities_scheduled": postsale.recurring_activities_schedule(workspace=workspace),
        "reviews_overdue_alerted": postsale.plan_reviews_alert_overdue(workspace=workspace),
        "health_computed": postsale.accounts_health_compute(workspace=workspace),
        "health_drop_alerts": postsale.health_drops_evaluate(workspace=workspace),
    }
