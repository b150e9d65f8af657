"""Celery entry points of the engagement app: thin, each calls one service.

Every task is safe to repeat: a scoring pass recomputes from stored state and writes the same result again.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.core.exceptions import ValidationError
from django.utils import timezone

from abe.models import Workspace
from abe.tasks import SweptTask

from .models import PendingBatch
from .services import accounts_score, scores_recompute, workspace_rescore
from .services.csv_import import event_import_run

logger = logging.getLogger(__name__)
# A batch's own task normally folds it within seconds; older ones lost their task (broker down, worker killed).
SWEEP_AFTER = timedelta(minutes=2)


@shared_task(base=SweptTask, time_limit=300)
def engagement_score_accounts_task(workspace_id: int, account_ids: list[int]) -> int:
    """One per ingested batch: rescore the accounts that received events. Safe to repeat.

    A failed publish is only logged: the batch waits in ``PendingBatch`` and ``engagement_pending_sweep`` scores it.
    """
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return len(accounts_score(workspace=workspace, account_ids=account_ids))


@shared_task(time_limit=3600)
def engagement_recompute_task(workspace_id: int, change: dict[str, Any] | None = None) -> int:
    """After a configuration change: rebuild components from the events and rescore everything. Safe to repeat.

    ``change`` describes the configuration change (see ``engagement_config_update``); the after-scoring hooks get
    it with the stage moves, so activation sends one summary notice instead of one alert per account.
    """
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return len(scores_recompute(workspace=workspace, change=change))


@shared_task(time_limit=3600)
def engagement_recompute_job_task(job_id: int) -> int:
    """The recompute after a settings change, run as a job: queued, running n of N accounts, done with the number
    of accounts whose score or stage changed, or failed with the reason. Safe to repeat: a finished job is left
    alone, and a recompute rebuilds from the events."""
    from abe.jobs import job_fail, job_finish, job_progress_visible, job_start
    from abe.models import Job

    job = Job.objects.select_related("workspace").filter(pk=job_id).first()
    if job is None or job.finished:
        return 0
    job_start(job=job)
    done = 0

    def progress(n: int) -> None:
        nonlocal done
        done += n
        job_progress_visible(job=job, processed=done)

    try:
        changed = scores_recompute(workspace=job.workspace, change=job.params.get("change"), progress=progress)
    except Exception as exc:
        job_fail(job=job, reason=f"The rescore failed: {exc}")
        raise
    message = f"{job.total:,} accounts rescored; {len(changed):,} changed score or stage."
    job_finish(job=job, message=message, result={"accounts": job.total, "changed": len(changed)})
    return len(changed)


@shared_task(time_limit=1800)
def engagement_rescore_workspace_task(workspace_id: int) -> int:
    """Rescore one workspace (decay, momentum windows, today's snapshot). Safe to repeat: snapshots are upserted."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return len(workspace_rescore(workspace=workspace))


@shared_task(time_limit=120)
def engagement_rescore_all_task() -> int:
    """Beat: one rescore task per workspace, so one failing workspace never stops the others.

    Safe to repeat: each workspace task is.
    """
    published = 0
    for workspace_id in Workspace.objects.order_by("pk").values_list("pk", flat=True):
        try:
            engagement_rescore_workspace_task.delay(workspace_id)
            published += 1
        except Exception:  # eager mode runs the task here: its failure must not stop the next workspace
            logger.exception("Rescore of workspace %s failed", workspace_id)
    return published


@shared_task(time_limit=120)
def engagement_pending_sweep_task() -> int:
    """Beat: score the batches whose task never ran or failed (broker down, worker killed, retry due).

    Safe to repeat: folding takes each batch once (row locks), and scoring again writes the same result.
    """
    now = timezone.now()
    due = (
        PendingBatch.objects.filter(quarantined_at__isnull=True, created_at__lt=now - SWEEP_AFTER)
        .exclude(retry_at__gt=now)
        .values_list("workspace_id", "deltas")
    )
    accounts: dict[int, set[int]] = {}
    for workspace_id, deltas in due.iterator():
        accounts.setdefault(workspace_id, set()).update(row[0] for row in deltas)
    for workspace_id, ids in sorted(accounts.items()):
        try:
            engagement_score_accounts_task.delay(workspace_id, sorted(ids))
        except Exception:
            logger.exception("Catch-up scoring of workspace %s failed", workspace_id)
    return len(accounts)


@shared_task(time_limit=3600)
def event_import_run_task(job_id: int) -> str:
    """A CSV upload of events. Safe to repeat: it resumes after the committed chunks, and ingest is idempotent."""
    job = event_import_run(job_id=job_id)
    return job.status if job else "missing"


@shared_task(acks_late=True, time_limit=3600)
def asset_performance_refresh_task(workspace_id: int | None = None) -> int:
    """Beat (nightly): content performance from the events that reference assets. Safe to repeat (replaces rows)."""
    from .services.content_performance import asset_performance_refresh

    written = 0
    workspaces = Workspace.objects.all() if workspace_id is None else Workspace.objects.filter(pk=workspace_id)
    for workspace in workspaces:
        written += asset_performance_refresh(workspace=workspace)
    return written


@shared_task(time_limit=900)
def engagement_preview_job_task(job_id: int) -> int:
    """The settings page's preview run as a job: the exact dry run of the rescore and the rules (rolled back,
    nothing kept); the job's result holds the stage moves and the alerts for the page to show. A finished job is
    left alone; running it again would compute the same preview."""
    from abe.jobs import job_fail, job_finish, job_progress, job_start
    from abe.models import Job

    from .services.config import engagement_config_preview, engagement_config_preview_result

    job = Job.objects.select_related("workspace").filter(pk=job_id).first()
    if job is None or job.finished:
        return 0
    job_start(job=job)
    try:
        preview = engagement_config_preview(
            workspace=job.workspace,
            data=job.params.get("data") or {},
            progress=lambda steps: job_progress(job=job, processed=steps),
        )
    except ValidationError as exc:
        job_fail(job=job, reason=" ".join(exc.messages))
        return 0
    except Exception as exc:
        job_fail(job=job, reason=f"The preview failed: {exc}")
        raise
    result = engagement_config_preview_result(preview)
    moved, alerts = result["moved"], result["alerts"]
    message = f"{moved:,} accounts would change journey stage; the rules would fire {alerts:,} alerts."
    job_finish(job=job, message=message, result=result)
    return int(moved)
