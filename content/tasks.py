"""Celery entry points of the content app: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from abe.models import Workspace

from .services.plays import play_step_touch_log, play_steps_schedule


@shared_task(acks_late=True, time_limit=600)
def play_steps_schedule_task(workspace_id: int | None = None) -> int:
    """Beat (hourly): turn due play steps into tasks, per workspace. Safe to repeat: a step makes one task."""
    created = 0
    workspaces = Workspace.objects.all() if workspace_id is None else Workspace.objects.filter(pk=workspace_id)
    for workspace in workspaces:
        try:
            created += play_steps_schedule(workspace=workspace)["created"]
        except Exception:  # one failing workspace never stops the others; the next run retries it
            import logging

            logging.getLogger(__name__).exception("Play scheduling failed for workspace %s", workspace.pk)
    return created


@shared_task(acks_late=True, time_limit=60)
def play_step_touch_log_task(task_id: int) -> bool:
    """After a task is completed: log the play step's touch. Safe to repeat: a step's touch is logged once."""
    return play_step_touch_log(task_id=task_id)
