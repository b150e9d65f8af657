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
from django.utils.translation import gettext_noop

from abe import texts
from abe.models import Workspace
from abe.tasks import SweptTask, publish_errors, step_deadline

from .models import PendingBatch
from .services import accounts_score
from .services.csv_import import STEP_PUBLISH_STOPPED, event_import_step, event_import_stop
from .services.scoring import scores_recompute_step, scores_rescore_state

logger = logging.getLogger(__name__)
# A batch's own task normally folds it within seconds; older ones lost their task (broker down, worker killed).
SWEEP_AFTER = timedelta(minutes=2)
STEP_PUBLISH_FAILED = gettext_noop(
    "Stopped after %(done)s accounts: the background job service (the broker) was unavailable when the next step "
    "was queued. Scores already written are correct; start the rescore again to finish."
)


@shared_task(base=SweptTask, time_limit=300)
def engagement_score_accounts_task(workspace_id: int, account_ids: list[int]) -> int:
    """One per ingested batch: rescore the accounts that received events. Safe to repeat.

    A failed publish is only logged: the batch waits in ``PendingBatch`` and ``engagement_pending_sweep`` scores it.
    """
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return len(accounts_score(workspace=workspace, account_ids=account_ids))


@shared_task(time_limit=600)
def engagement_recompute_task(
    workspace_id: int, change: dict[str, Any] | None = None, state: dict[str, Any] | None = None
) -> int:
    """After a configuration change: rebuild components from the events and rescore everything, in steps of at most
    ``ABE_TASK_STEP_SECONDS`` (``scores_recompute_step``); a step that runs out of time enqueues the next with its
    state. Safe to repeat: a repeated step rebuilds again or rescores its range again with the same result.

    ``change`` describes the configuration change (see ``engagement_config_update``); the after-scoring hooks get
    it with the stage moves, so activation sends one summary notice instead of one alert per account.
    Returns the number of accounts scored so far.
    """
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    state, finished = scores_recompute_step(workspace=workspace, state=state, deadline=step_deadline(), change=change)
    if not finished:
        engagement_recompute_task.delay(workspace_id, change, state)
    return int(state["done"])


@shared_task(time_limit=120, ignore_result=True)
def event_imports_stalled_fail_task() -> int:
    """Beat, every 5 minutes: fail the uploads nothing will resume (``event_imports_stalled_fail``). Safe to repeat."""
    from .services.csv_import import event_imports_stalled_fail

    return event_imports_stalled_fail()


@shared_task(time_limit=600)
def engagement_recompute_job_task(job_id: int) -> int:
    """The recompute after a settings change, run as a job: queued, running n of N accounts, done with the number
    of accounts whose score or stage changed, or failed with the reason.

    It runs in steps of at most ``ABE_TASK_STEP_SECONDS`` (``scores_recompute_step``), each far inside the task's
    time limit and the broker's visibility timeout; the state to resume from is saved in the job's ``params``
    after each step, and the next step is enqueued. Safe to repeat: a finished job is left alone, and a
    redelivered step resumes from the last saved state (an account range scored twice gets the same result). Two
    deliveries never work on the same job at once (``abe.locks.job_run``): a late step of a run the watchdog failed,
    after the job was started again, does nothing, so the after-scoring hooks run once."""
    from abe import locks

    with locks.job_run(RECOMPUTE_RUN_LOCK, job_id) as mine:
        if not mine:
            logger.info("Recompute job %s is already running elsewhere; this delivery does nothing", job_id)
            return 0
        return _recompute_job_step(job_id)


RECOMPUTE_RUN_LOCK = "engagement-recompute-run"  # abe.locks.job_run: one delivery of a recompute job at a time


def _recompute_job_step(job_id: int) -> int:
    from abe.jobs import failure_cause, job_fail, job_finish, job_progress, job_start
    from abe.models import Job, JobStatus

    job = Job.objects.select_related("workspace").filter(pk=job_id).first()
    if job is None or job.finished:
        return 0
    if job.status != JobStatus.RUNNING:
        job_start(job=job)
    state = job.params.get("recompute")
    try:
        state, finished = scores_recompute_step(
            workspace=job.workspace, state=state, deadline=step_deadline(), change=job.params.get("change")
        )
    except Exception as exc:
        job_fail(
            job=job,
            reason=texts.msg(gettext_noop("The rescore failed: %(error)s"), error=failure_cause(exc, job_id=job.pk)),
        )
        raise
    job.params = {**job.params, "recompute": state}
    job.save(update_fields=["params"])
    job_progress(job=job, processed=min(int(state["done"]), job.total))
    if not finished:
        try:
            engagement_recompute_job_task.delay(job_id)
        except publish_errors():
            logger.warning("Could not enqueue the next step of recompute job %s", job_id, exc_info=True)
            job_fail(job=job, reason=texts.msg(STEP_PUBLISH_FAILED, done=texts.num(state["done"])))
        return 0
    changed = len(state["changed"])
    message = texts.msg(
        # Translators: two clauses, e.g. "2,000 accounts rescored; 164 changed score or stage."
        gettext_noop("%(done)s; %(changed)s."),
        done=texts.msg_plural(texts.ACCOUNTS_RESCORED, int(state["done"])),
        changed=texts.msg_plural(
            texts.ngettext_noop("%(count)s changed score or stage", "%(count)s changed score or stage"), changed
        ),
    )
    job_finish(job=job, message=message, result={"accounts": state["done"], "changed": changed})
    return changed


@shared_task(time_limit=600)
def engagement_rescore_workspace_task(workspace_id: int, state: dict[str, Any] | None = None) -> int:
    """Rescore one workspace (decay, momentum windows, today's snapshot) in steps of at most
    ``ABE_TASK_STEP_SECONDS``: accounts in id order, the next step enqueued with the last id scored. Safe to
    repeat: snapshots are upserted and a range scored twice gets the same result. Returns accounts scored so far."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    state, finished = scores_recompute_step(
        workspace=workspace, state=state or scores_rescore_state(), deadline=step_deadline()
    )
    if not finished:
        engagement_rescore_workspace_task.delay(workspace_id, state)
    return int(state["done"])


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


@shared_task(time_limit=600)
def event_import_run_task(job_id: int) -> str:
    """A CSV upload of events, in steps of at most ``ABE_TASK_STEP_SECONDS``: a step that runs out of time
    enqueues the next, which resumes after the committed chunks. Safe to repeat: a redelivered step resumes the
    same way, and ingest is idempotent."""
    job, more = event_import_step(job_id=job_id, deadline=step_deadline())
    if job is None:
        return "missing"
    if more:
        try:
            event_import_run_task.delay(job_id)
        except publish_errors():
            logger.warning("Could not enqueue the next step of event import %s", job_id, exc_info=True)
            event_import_stop(job_id=job_id, reason=texts.msg(STEP_PUBLISH_STOPPED))
            return "failed"
        return "continued"
    return job.status


@shared_task(acks_late=True, time_limit=600)
def asset_performance_refresh_task(workspace_id: int | None = None) -> int:
    """Beat (nightly): content performance from the events that reference assets. Without a workspace it fans out
    one task per workspace (each inside its own time limit; one failing workspace never stops the others). Safe to
    repeat (replaces rows). Returns the rows written, or the workspace tasks published."""
    from .services.content_performance import asset_performance_refresh

    if workspace_id is None:
        published = 0
        for pk in Workspace.objects.order_by("pk").values_list("pk", flat=True):
            try:
                asset_performance_refresh_task.delay(pk)
                published += 1
            except Exception:  # eager mode runs the task here: its failure must not stop the next workspace
                logger.exception("Content performance refresh of workspace %s failed", pk)
        return published
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return 0 if workspace is None else asset_performance_refresh(workspace=workspace)


@shared_task(time_limit=600)
def engagement_preview_job_task(job_id: int) -> int:
    """The settings page's preview run as a job: the exact dry run of the rescore and the rules (rolled back,
    nothing kept); the job's result holds the stage moves and the alerts for the page to show. A finished job is
    left alone; running it again would compute the same preview."""
    from abe.jobs import failure_cause, job_fail, job_finish, job_progress, job_start
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
        job_fail(
            job=job,
            reason=texts.msg(gettext_noop("The preview failed: %(error)s"), error=failure_cause(exc, job_id=job.pk)),
        )
        raise
    result = engagement_config_preview_result(preview)
    moved, alerts = result["moved"], result["alerts"]
    message = texts.msg(
        # Translators: e.g. "12 accounts would change journey stage; the rules would fire 3 alerts."
        gettext_noop("%(moved)s; the rules would fire %(alerts)s."),
        moved=texts.msg_plural(
            texts.ngettext_noop(
                "%(count)s account would change journey stage", "%(count)s accounts would change journey stage"
            ),
            int(moved),
        ),
        alerts=texts.msg_plural(texts.ALERTS, int(alerts)),
    )
    job_finish(job=job, message=message, result=result)
    return int(moved)
