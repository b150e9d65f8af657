"""Celery entry points of prospecting; thin: each calls one service."""

from __future__ import annotations

import logging
import time
from contextlib import nullcontext
from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_noop

from abe import l10n
from abe import texts as tx
from abe.models import Workspace

logger = logging.getLogger(__name__)


@shared_task(time_limit=600)
def prospecting_rescore_task(workspace_id: int, reason: str = "") -> dict[str, Any]:
    """Safe to repeat: a rescore recomputes everything from the current ICP, model and settings."""
    from .services import prospecting_rescore

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return {}
    return prospecting_rescore(workspace=workspace, reason=reason)


@shared_task(time_limit=600)
def model_train_task(workspace_id: int, user_id: int | None = None) -> int | None:
    """A repeat trains one more version; harmless, as only a version at least as good is activated."""
    from .services import model_train

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return None
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        return model_train(workspace=workspace, by=user).pk
    except ValidationError as exc:
        logger.info("Model not trained for workspace %s: %s", workspace_id, " ".join(exc.messages))
        return None


@shared_task(time_limit=600)
def models_retrain_weekly_task() -> int:
    """The weekly schedule: one training task per workspace that has a model or any closed deals."""
    from ..models import Opportunity, PredictiveModel

    ids = set(PredictiveModel.objects.values_list("workspace_id", flat=True)) | set(
        Opportunity.objects.filter(status__in=["won", "lost"]).values_list("workspace_id", flat=True).distinct()
    )
    for workspace_id in sorted(ids):
        model_train_task.delay(workspace_id)
    return len(ids)


BULK_RUN_LOCK = "accounts-bulk-run"  # abe.locks.job_run: one delivery of a bulk job's task at a time


@shared_task(time_limit=600)
def accounts_bulk_apply_task(job_id: int) -> dict[str, Any]:
    """A bulk change over many accounts, in chunks of ``BULK_CHUNK``, reporting progress on its job.

    It runs in steps of at most ``ABE_TASK_STEP_SECONDS``: each chunk commits together with the job's
    ``processed`` (the position in ``account_ids`` to go on from) and ``result`` (the counts so far), and a step
    out of time enqueues the next. A redelivered step resumes after the last committed chunk, so no account
    is changed (or counted) twice; two deliveries never work on the same job at once (``abe.locks.job_run``: a
    late step of a run the watchdog failed, after the job was started again, does nothing)."""
    from abe import locks

    with locks.job_run(BULK_RUN_LOCK, job_id) as mine:
        if not mine:
            logger.info("Bulk job %s is already running elsewhere; this delivery does nothing", job_id)
            return {}
        return _bulk_apply_step(job_id)


def _bulk_apply_step(job_id: int) -> dict[str, Any]:
    from django.db import transaction

    from abe.jobs import failure_cause, job_fail, job_finish, job_start
    from abe.models import Job, JobStatus
    from abe.tasks import publish_errors, step_deadline

    from .services import BULK_CHUNK, BulkResult, accounts_bulk_apply, bulk_reason_texts

    job = Job.objects.select_related("workspace", "created_by").filter(pk=job_id).first()
    if job is None or job.finished:
        return {}
    if job.status != JobStatus.RUNNING:
        job_start(job=job)
    params = job.params
    owner = get_user_model().objects.filter(pk=params["owner_id"]).first() if params.get("owner_id") else None
    ids: list[int] = params["account_ids"]
    texts = bulk_reason_texts(owner=owner, tier=params.get("tier", ""))
    # ``start``: the accounts done and saved so far (a chunk commits with the job's count, then ``start`` moves).
    start, result = job.processed, BulkResult.from_dict(job.result or {}, texts)
    deadline = step_deadline()
    try:
        while start < len(ids):
            chunk = ids[start : start + BULK_CHUNK]
            with transaction.atomic():
                result.add(
                    accounts_bulk_apply(
                        workspace=job.workspace,
                        account_ids=chunk,
                        action=params["action"],
                        by=job.created_by,
                        role=params["role"],
                        owner=owner,
                        tier=params.get("tier", ""),
                        reason=params.get("reason", ""),
                    )
                )
                job.processed, job.result = start + len(chunk), result.as_dict()
                job.progressed_at = timezone.now()
                job.save(update_fields=["processed", "result", "progressed_at"])
            start = job.processed
            if start < len(ids) and time.monotonic() >= deadline:
                try:
                    accounts_bulk_apply_task.delay(job_id)
                except publish_errors():
                    logger.warning("Could not enqueue the next step of bulk job %s", job_id, exc_info=True)
                    job_fail(
                        job=job,
                        reason=tx.msg(BULK_STEP_PUBLISH_FAILED, done=tx.num(start), total=tx.num(len(ids))),
                    )
                return result.as_dict()
    except (ValidationError, PermissionDenied) as exc:
        job_fail(job=job, reason=" ".join(getattr(exc, "messages", [str(exc)])))
        return result.as_dict()
    except Exception as exc:  # failed, with the reason, not "running" for ever; the worker logs the exception
        job_fail(
            job=job,
            reason=tx.msg(
                BULK_STOPPED, done=tx.num(start), total=tx.num(len(ids)), error=failure_cause(exc, job_id=job.pk)
            ),
        )
        raise
    # The summary is read by the person who started the job: in their language.
    with l10n.recipient_locale(job.created_by, job.workspace) if job.created_by else nullcontext():
        message = result.summary + "."
    job_finish(job=job, message=message, result=result.as_dict())
    return result.as_dict()


BULK_STEP_PUBLISH_FAILED = gettext_noop(
    "Stopped after %(done)s of %(total)s accounts: the background job service (the broker) was unavailable when "
    "the next step was queued. The changes made so far are saved; start the change again for the rest."
)


BULK_STOPPED = gettext_noop(
    "Stopped after %(done)s of %(total)s accounts: %(error)s. The changes made so far are saved; start the change "
    "again for the rest."
)


@shared_task(time_limit=600)
def prospecting_rescore_job_task(job_id: int) -> dict[str, Any]:
    """A rescore run as a job (status for the page). Safe to repeat: a rescore recomputes from the current state."""
    from abe.jobs import failure_cause, job_fail, job_finish, job_start
    from abe.models import Job

    from .services import prospecting_rescore, reason_of, rescore_summary_msg

    job = Job.objects.select_related("workspace", "created_by").filter(pk=job_id).first()
    if job is None or job.finished:
        return {}
    job_start(job=job)
    try:
        summary = prospecting_rescore(workspace=job.workspace, by=job.created_by, reason=reason_of(job.params))
    except Exception as exc:
        job_fail(
            job=job,
            reason=tx.msg(gettext_noop("The rescore failed: %(error)s"), error=failure_cause(exc, job_id=job.pk)),
        )
        raise
    job_finish(job=job, message=rescore_summary_msg(summary), result=summary)
    return summary
