"""Writes on tasks. Every one validates and is atomic; upper apps create their tasks through these."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from abe.models import Membership, Workspace
from abe.registry import task_completed_tasks
from abe.texts import Msg, english, specs

from .models import Task, TaskSource, TaskStatus

TASK_FIELDS = {"title", "description", "account", "contact", "assignee", "due_date", "source", "source_ref"}


def _clean_task(task: Task, *, status: str | None = None) -> None:
    """The task's fields, and ``status`` when one is asked for (create and update move a task to it afterwards)."""
    task.title = (task.title or "").strip()
    errors: dict[str, str] = {}
    if not task.title:
        errors["title"] = gettext("Say what needs doing.")
    if task.account_id and task.account.workspace_id != task.workspace_id:
        errors["account"] = gettext("Not found in this workspace.")
    contact = task.contact if task.contact_id is not None else None
    if contact is not None:
        if contact.workspace_id != task.workspace_id:
            errors["contact"] = gettext("Not found in this workspace.")
        elif contact.account_id != task.account_id:
            errors["contact"] = gettext("This contact belongs to another account.")
    if (
        task.assignee_id is not None
        and not Membership.objects.filter(workspace_id=task.workspace_id, user_id=task.assignee_id).exists()
    ):
        errors["assignee"] = gettext("This user is not a member of the workspace.")
    if task.source not in TaskSource.values:
        errors["source"] = gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(TaskSource.values)}
    if status is not None and status not in TaskStatus.values:
        errors["status"] = gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(TaskStatus.values)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def task_create(
    *,
    workspace: Workspace,
    title: str | Msg,
    account: Any,
    by: User | None = None,
    contact: Any = None,
    assignee: User | None = None,
    due_date: dt.date | None = None,
    description: str | Msg = "",
    source: str = TaskSource.MANUAL,
    source_ref: str = "",
    status: str = TaskStatus.OPEN,
    outcome: str = "",
) -> Task:
    """A new task. ``status`` and ``outcome`` are the fields the API's task carries: a task recorded as already done
    (or cancelled) is created open and then completed (or cancelled) here, so it gets a completion time and the
    reactions a completion has, as if it had been completed once created."""
    task = Task(
        workspace=workspace,
        title=english(title)[:200] if isinstance(title, Msg) else title,  # a job's text never fails on length
        texts=specs(title=title, description=description),
        account=account,
        contact=contact,
        assignee=assignee,
        due_date=due_date,
        description=english(description) or "",
        source=source,
        source_ref=source_ref or "",
        outcome=outcome or "",
        created_by=by,
    )
    _clean_task(task, status=status)
    task.save()
    if status == TaskStatus.DONE:
        return task_complete(task=task, by=by, outcome=task.outcome)
    if status == TaskStatus.CANCELLED:
        return task_cancel(task=task, by=by)
    return task


@transaction.atomic
def task_update(task: Task, *, by: User | None = None, **fields: Any) -> Task:
    unknown = set(fields) - TASK_FIELDS - {"status", "outcome"}
    if unknown:
        raise ValidationError({name: gettext("Unknown field.") for name in sorted(unknown)})
    status = fields.pop("status", None)
    outcome = fields.pop("outcome", None)
    for name, value in fields.items():
        if name in ("title", "description") and value != getattr(task, name):
            task.texts = {k: v for k, v in (task.texts or {}).items() if k != name}  # edited: no longer the key's
        setattr(task, name, value)
    _clean_task(task, status=status)
    task.save()
    if status is not None and status != task.status:
        if status == TaskStatus.DONE:
            return task_complete(task=task, by=by, outcome=outcome if outcome is not None else task.outcome)
        if status == TaskStatus.CANCELLED:
            return task_cancel(task=task, by=by)
        return task_reopen(task=task, by=by)
    if outcome is not None and outcome != task.outcome:
        task.outcome = outcome
        task.save(update_fields=["outcome", "updated_at"])
    return task


@transaction.atomic
def task_complete(*, task: Task, by: User | None = None, outcome: str = "") -> Task:
    """Mark a task done. Completing an already completed task keeps its first completion time."""
    if task.status == TaskStatus.DONE:
        if outcome and outcome != task.outcome:
            task.outcome = outcome
            task.save(update_fields=["outcome", "updated_at"])
        return task
    task.status = TaskStatus.DONE
    task.outcome = outcome or task.outcome
    task.completed_at = timezone.now()
    task.completed_by = by if by is not None and by.is_authenticated else None
    task.save(update_fields=["status", "outcome", "completed_at", "completed_by", "updated_at"])
    # Upper apps (a play logs the step's touch) react once the completion is committed.
    for path in task_completed_tasks():
        transaction.on_commit(partial(import_string(path).delay, task_id=task.pk))
    return task


@transaction.atomic
def task_cancel(*, task: Task, by: User | None = None) -> Task:
    task.status = TaskStatus.CANCELLED
    task.completed_at = timezone.now()
    task.completed_by = by if by is not None and by.is_authenticated else None
    task.save(update_fields=["status", "completed_at", "completed_by", "updated_at"])
    return task


@transaction.atomic
def task_reopen(*, task: Task, by: User | None = None) -> Task:
    task.status = TaskStatus.OPEN
    task.completed_at = None
    task.completed_by = None
    task.save(update_fields=["status", "completed_at", "completed_by", "updated_at"])
    return task


@transaction.atomic
def task_delete(task: Task, *, by: User | None = None) -> None:
    task.delete()
