"""Celery entry points of the imports; thin: each calls one service."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(time_limit=600)
def import_job_run_task(job_id: int) -> dict[str, Any]:
    """Safe to repeat: rows are upserted, so a second run of a finished job changes nothing."""
    from .services import import_job_run

    return import_job_run(job_id=job_id)
