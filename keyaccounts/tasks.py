"""Celery entry points for key accounts: thin, each calls a service; periodic work fans out per workspace.

Retries, backoff and time limits come from ``abe.tasks.BaseTask``; names follow ``keyaccounts.tasks.<name>``.
"""

from __future__ import annotations

import time
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


@shared_task(time_limit=600)
def news_fetch_workspace_task(workspace_id: int, feed_ids: list[int] | None = None) -> dict[str, Any]:
    """The workspace's active feeds (or ``feed_ids``), in id order, until ``ABE_TASK_STEP_SECONDS`` have passed;
    the feeds left go to a new task, so a workspace with many slow feeds never runs into the time limit.
    Safe to repeat: entries, matches and trigger events are each stored once (see services.news)."""
    from abe.tasks import step_deadline

    from .models import NewsFeed

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return {}
    feeds = NewsFeed.objects.for_workspace(workspace).filter(is_active=True).order_by("pk")
    if feed_ids is not None:
        feeds = feeds.filter(pk__in=feed_ids)
    remaining: list[NewsFeed] = list(feeds)
    deadline = step_deadline()
    matcher = news.workspace_matcher(workspace=workspace)
    results: list[news.FetchResult] = []
    while remaining and (not results or time.monotonic() < deadline):
        results.append(news.news_feed_fetch(feed=remaining.pop(0), matcher=matcher))
    if remaining:
        news_fetch_workspace_task.delay(workspace_id, [feed.pk for feed in remaining])
    return {
        "workspace": workspace.slug,
        "results": [r.as_dict() for r in results],
        "feeds": len(results),
        "errors": sum(1 for r in results if r.error),
        "entries": sum(r.entries for r in results),
        "new_entries": sum(r.new_entries for r in results),
        "new_matches": sum(r.new_matches for r in results),
        "left_for_next_step": len(remaining),
    }


@shared_task(time_limit=60)
def key_accounts_daily_all_task() -> int:
    ids = list(Workspace.objects.values_list("id", flat=True))
    for workspace_id in ids:
        key_accounts_daily_task.delay(workspace_id)
    return len(ids)


@shared_task(time_limit=600)
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
