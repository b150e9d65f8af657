"""Celery entry points of the imports; thin: each calls one service."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext_noop

from abe import texts

logger = logging.getLogger(__name__)


@shared_task(time_limit=600)
def import_job_run_task(job_id: int) -> dict[str, Any]:
    """One step of at most ``ABE_TASK_STEP_SECONDS`` (chunks of rows, each committed with the job's progress and
    resume state); a step out of time enqueues the next. Safe to repeat: a redelivered step goes on after the
    last committed chunk, and a finished job is left alone."""
    from abe.tasks import publish_errors, step_deadline

    from ..models import ImportJob, ImportStatus
    from .services import import_job_step, import_message

    if import_job_step(job_id=job_id, deadline=step_deadline()):
        try:
            import_job_run_task.delay(job_id)
        except publish_errors():
            logger.warning("Could not enqueue the next step of import job %s", job_id, exc_info=True)
            stopped = ImportJob.objects.get(pk=job_id)
            reason = texts.msg(
                STEP_PUBLISH_FAILED, done=texts.num(stopped.processed_rows), total=texts.num(stopped.total_rows)
            )
            ImportJob.objects.filter(pk=job_id).update(
                status=ImportStatus.FAILED, finished_at=timezone.now(), **import_message(reason)
            )
    job = ImportJob.objects.filter(pk=job_id).first()
    return job.summary() if job else {}


@shared_task(time_limit=120, ignore_result=True)
def import_jobs_stalled_fail_task() -> int:
    """Beat, every 5 minutes: fail the imports nothing will resume (``import_jobs_stalled_fail``). Safe to repeat."""
    from .services import import_jobs_stalled_fail

    return import_jobs_stalled_fail()


STEP_PUBLISH_FAILED = gettext_noop(
    "Stopped after %(done)s of %(total)s rows: the background job service (the broker) was unavailable when the "
    "next step was queued. The rows so far are saved; start it again to go on from there."
)
