"""Tasks: one to-do model for the whole portal.

A task is something a person of the workspace must do about an account (optionally a contact) by a date.
Tasks come from several places, told apart by ``source`` and ``source_ref``: a play step (content app), an
alert (activation), an account plan or a post-sale check-in (key accounts), or a person creating one by
hand. The upper apps create tasks through :mod:`work.services`; this app never imports them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from abe import texts as i18n_texts
from abe.models import TimeStamped, WorkspaceOwned


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class TaskSource(models.TextChoices):
    MANUAL = "manual", _("Created by hand")
    PLAY = "play", _("Play step")
    ALERT = "alert", _("Alert")
    ACCOUNT_PLAN = "account_plan", _("Account plan")
    CHECK_IN = "check_in", _("Post-sale activity")


class Task(WorkspaceOwned, TimeStamped):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # title and description written by a job (a play step, a post-sale activity) as message keys and parameters
    # (abe.texts), shown in the reader's language; the columns above stay English (the API's words). A person's
    # edit of either drops its key.
    texts = models.JSONField(default=dict, blank=True)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="tasks")
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_tasks"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    outcome = models.TextField(blank=True, help_text=_("What happened, written when the task is completed."))
    source = models.CharField(max_length=20, choices=TaskSource.choices, default=TaskSource.MANUAL)
    # What created the task, as "<kind>:<id>" (e.g. "play_step:12", "alert:7"); blank for manual tasks.
    source_ref = models.CharField(max_length=80, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    @property
    def title_text(self) -> str:
        return i18n_texts.shown(self, "title")

    @property
    def description_text(self) -> str:
        return i18n_texts.shown(self, "description")

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["workspace", "assignee", "status", "due_date"], name="task_ws_assignee"),
            models.Index(fields=["workspace", "account", "status"], name="task_ws_account"),
            models.Index(fields=["workspace", "source", "source_ref"], name="task_ws_source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", completed_at__isnull=True) | ~Q(status="open"),
                name="task_open_not_completed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def sales_can_edit(self, user: object) -> bool:
        return self.assignee_id == getattr(user, "pk", None) or self.account.sales_can_edit(user)
