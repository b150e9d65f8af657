"""Jobs: long work run by a worker with a status the page polls (htmx progress bar).

``job_create`` records the job and enqueues its Celery task after commit; with the embedded default (no broker,
tasks eager) the task runs in the request and the job is marked ``inline`` so that the page can say so. If the
broker refuses the message (Redis down), the job is marked failed with that reason at once, never left queued. The
task calls ``job_start`` / ``job_progress`` / ``job_finish`` (or ``job_fail``), so the page shows the true
status: queued, running n of N, done with a summary, failed with the reason.

A reason is written for the person who reads the job, never an exception's own text (a driver's message names
tables, constraints and values, and is in English whatever the reader's language): ``failure_cause`` turns an
exception into a sentence and logs the exception as "Job N failed" for the operators; the task then re-raises it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connection, connections, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_noop

from . import registry, texts
from .models import Job, JobStatus, Workspace
from .tasks import enqueue_job_on_commit

logger = logging.getLogger(__name__)


def job_create(
    *,
    workspace: Workspace,
    kind: str,
    label: str | texts.Msg,
    total: int,
    params: dict[str, Any],
    by: User | None,
    task: Any,
) -> Job:
    """Record a job and enqueue ``task`` (a Celery task taking the job id) once the transaction commits. ``label``
    (and a finished job's message) may be a message key (``abe.texts.msg``): pages show it in the reader's language,
    the columns keep its English."""
    job = Job.objects.create(
        workspace=workspace,
        kind=kind,
        label=texts.english(label)[:200],
        texts=texts.specs(label=label),
        total=total,
        params=params,
        created_by=by,
        inline=bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)),
    )
    # A publish the broker refuses marks the job failed with the reason (then the 503), never "queued" forever.
    enqueue_job_on_commit(task, job.pk, mark_failed=lambda reason: job_fail(job=job, reason=reason))
    return job


def job_start(*, job: Job) -> Job:
    job.status, job.started_at = JobStatus.RUNNING, timezone.now()
    job.progressed_at = job.started_at
    job.save(update_fields=["status", "started_at", "progressed_at"])
    return job


def job_progress(*, job: Job, processed: int) -> None:
    job.processed, job.progressed_at = processed, timezone.now()
    Job.objects.filter(pk=job.pk).update(processed=processed, progressed_at=job.progressed_at)


def job_progress_visible(*, job: Job, processed: int) -> None:
    """Progress from inside a long transaction: written through a connection of its own (autocommit), so the page
    polling the job sees it before the work commits. Inline jobs (the embedded default, the request waits anyway)
    and SQLite (one writer at a time) keep the plain update."""
    job.processed, job.progressed_at = processed, timezone.now()
    if job.inline or connection.vendor != "postgresql":
        Job.objects.filter(pk=job.pk).update(processed=processed, progressed_at=job.progressed_at)
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Job._meta.db_table} SET processed = %s, progressed_at = %s WHERE id = %s",
                [processed, job.progressed_at, job.pk],
            )
    finally:
        side.close()


def _with_message(job: Job, message: str | texts.Msg) -> None:
    job.message = texts.english(message)[:2000]
    job.texts = {**{k: v for k, v in (job.texts or {}).items() if k != "message"}, **texts.specs(message=message)}


def job_finish(*, job: Job, message: str | texts.Msg, result: dict[str, Any]) -> Job:
    job.status, job.result = JobStatus.DONE, result
    _with_message(job, message)
    job.processed, job.finished_at = job.total, timezone.now()
    job.progressed_at = job.finished_at
    job.save(update_fields=["status", "message", "texts", "result", "processed", "finished_at", "progressed_at"])
    return job


def job_fail(*, job: Job, reason: str | texts.Msg) -> Job:
    job.status, job.finished_at = JobStatus.FAILED, timezone.now()
    _with_message(job, reason)
    job.progressed_at = job.finished_at
    job.save(update_fields=["status", "message", "texts", "finished_at", "progressed_at"])
    return job


#: Why the watchdog failed a job: one running with no progress (its worker was killed, e.g. by the task time limit,
#: or its next step's message was lost), or one queued that never started (its message lost, or the queue far
#: behind). A late delivery of its task then finds the job finished and does nothing.
STALLED_RUNNING = gettext_noop(
    "Stopped: no progress for %(minutes)s minutes (the worker running it stopped or lost it). What it saved before "
    "is kept; start it again for the rest."
)
STALLED_QUEUED = gettext_noop(
    "Not started within %(minutes)s minutes: the background job service lost it or is far behind. Start it again."
)


def stall_cutoff(now: datetime | None = None) -> tuple[datetime, int]:
    """The time before which a queued or running job's last progress makes it stalled, and the limit in minutes.

    ``ABE_JOB_STALL_SECONDS`` (default an hour) is far above a task step's time limit (10 minutes) plus the broker's
    redelivery of a killed worker's task (its visibility timeout, 11 minutes), so only a job nothing will resume is
    failed; a queue more than that far behind is an outage the operators see on ``/readyz`` anyway."""
    seconds = int(getattr(settings, "ABE_JOB_STALL_SECONDS", 3600))
    return (now or timezone.now()) - timedelta(seconds=seconds), max(1, round(seconds / 60))


def stalled_fail(
    stalled: QuerySet[Any], *, cutoff: datetime, failed: str, fields: Callable[[Any], dict[str, Any]]
) -> list[Any]:
    """Fail each row of ``stalled`` (jobs, imports or uploads queued or running with no progress since ``cutoff``)
    with status ``failed`` and ``fields(row)`` (its reason); the rows failed. Each by an update that re-checks the
    row's status and stamp, so one that has just moved on is left alone. Logged as "<Model> N failed by the
    watchdog" for the operators."""
    done = []
    for row in stalled:
        at = timezone.now()
        changed = (
            type(row)
            .objects.filter(pk=row.pk, status=row.status, progressed_at__lt=cutoff)
            .update(status=failed, finished_at=at, progressed_at=at, **fields(row))
        )
        if changed:
            logger.warning("%s %s failed by the watchdog: %s since %s", type(row).__name__, row.pk, row.status, cutoff)
            done.append(row)
    return done


def jobs_stalled_fail(*, now: datetime | None = None) -> int:
    """Fail every job queued or running with no progress since the cutoff (``stall_cutoff``), with the reason;
    how many. Safe to repeat."""
    cutoff, minutes = stall_cutoff(now)

    def reason(job: Job) -> dict[str, Any]:
        _with_message(
            job, texts.msg(STALLED_RUNNING if job.status == JobStatus.RUNNING else STALLED_QUEUED, minutes=minutes)
        )
        return {"message": job.message, "texts": job.texts}

    stalled = Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING], progressed_at__lt=cutoff)
    return len(
        stalled_fail(stalled.only("pk", "status", "texts"), cutoff=cutoff, failed=JobStatus.FAILED, fields=reason)
    )


DATABASE_UNAVAILABLE = gettext_noop("the database was unavailable or too busy; try again in a few minutes")
UNEXPECTED_ERROR = gettext_noop(
    "an unexpected error, logged for the operators as job %(job)s; try again, and tell your administrator if it "
    "fails again"
)


def failure_cause(exc: BaseException, *, job_id: int, log: bool = True) -> str | texts.Msg:
    """What went wrong, in words for the person who reads the job: a validation error's own messages (they are
    written for people), the database unavailable or busy (a dropped connection, a statement timeout: worth trying
    again), else an unexpected error with the job's number. Any but a validation error is logged with its traceback
    as "Job N failed", the line the operators search for (``log=False`` where the caller logs it its own way)."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if log:
        logger.error("Job %s failed", job_id, exc_info=exc)
    if isinstance(exc, OperationalError | InterfaceError):  # psycopg's statement timeout is an OperationalError
        return texts.msg(DATABASE_UNAVAILABLE)
    return texts.msg(UNEXPECTED_ERROR, job=job_id)


@shared_task(name="abe.tasks.jobs_stalled_fail", time_limit=120, ignore_result=True)
def jobs_stalled_fail_task() -> int:
    """Beat, every 5 minutes: fail the jobs nothing will resume (``jobs_stalled_fail``). Safe to repeat."""
    return jobs_stalled_fail()


def job_resumable(job: Job) -> bool:
    """A failed job of a kind whose task resumes from the state it saved (``job_restart_register``)."""
    return job.status == JobStatus.FAILED and registry.job_restart(job.kind) is not None


def job_restartable(*, job: Job, role: str | None) -> bool:
    """Whether ``role`` may start this failed job again."""
    entry = registry.job_restart(job.kind)
    return job_resumable(job) and entry is not None and role in entry.roles


def job_restart(*, job: Job, role: str | None) -> Job:
    """Queue a failed job again; its task resumes from the state it saved (a bulk change after the accounts done, a
    recompute after the last range committed), so what was done is not done twice. The reason is cleared; the
    progress so far stays. Refused with a ``ValidationError`` for a job not failed, of a kind that cannot resume, or
    for a role that may not start it; a broker that refuses the message fails it again at once (then a 503)."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        entry = registry.job_restart(locked.kind)
        if entry is None or locked.status != JobStatus.FAILED:
            raise ValidationError(gettext("Only a failed bulk change or rescore can be started again."))
        if role not in entry.roles:
            raise PermissionDenied(gettext("Your role cannot start this job again."))
        locked.status, locked.progressed_at, locked.finished_at = JobStatus.QUEUED, timezone.now(), None
        locked.message = ""
        locked.texts = {k: v for k, v in (locked.texts or {}).items() if k != "message"}
        locked.save(update_fields=["status", "progressed_at", "finished_at", "message", "texts"])
        enqueue_job_on_commit(
            import_string(entry.task), locked.pk, mark_failed=lambda reason: job_fail(job=locked, reason=reason)
        )
    return locked


def job_list(*, workspace: Workspace) -> QuerySet[Job]:
    return Job.objects.for_workspace(workspace).select_related("created_by")


def job_running_or_failed(*, workspace: Workspace, limit: int = 10) -> list[Job]:
    """Jobs still running and those that failed in the last week (the programme pulse)."""
    week_ago = timezone.now() - timedelta(days=7)
    return list(job_list(workspace=workspace).filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])[:limit]) + list(
        job_list(workspace=workspace).filter(status=JobStatus.FAILED, created_at__gte=week_ago)[:limit]
    )
