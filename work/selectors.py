"""Reads on tasks: every selector takes the workspace."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from abe.models import Workspace

from .models import Task, TaskStatus


def task_list(
    *,
    workspace: Workspace,
    assignee_id: int | None = None,
    account_id: int | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    today: dt.date | None = None,
) -> QuerySet[Task]:
    qs = Task.objects.for_workspace(workspace).select_related("account", "contact", "assignee")
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if status is not None:
        qs = qs.filter(status=status)
    if overdue is not None:
        today = today or timezone.localdate()
        late = qs.filter(status=TaskStatus.OPEN, due_date__lt=today)
        qs = late if overdue else qs.exclude(pk__in=late.values("pk"))
    return qs


def task_open_for_user(*, workspace: Workspace, user_id: int) -> QuerySet[Task]:
    """A person's open tasks, the most urgent first (no due date last)."""
    from django.db.models import F

    return task_list(workspace=workspace, assignee_id=user_id, status=TaskStatus.OPEN).order_by(
        F("due_date").asc(nulls_last=True), "id"
    )
