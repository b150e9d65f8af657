"""Tenancy and access: workspaces, memberships with roles, API keys, and the base class of every domain row.

Every domain model derives from :class:`WorkspaceOwned`, whose manager offers the one scoping entry point,
``Model.objects.for_workspace(ws)``. Selectors and API views start from it, so an object of another
workspace is simply absent (a 404), never a 403 that confirms it exists.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_M = TypeVar("_M", bound=models.Model)

#: Largest primary key PostgreSQL stores (bigint); anything larger cannot exist.
MAX_ID = 2**63 - 1


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MARKETING = "marketing", _("Marketing")
    SALES = "sales", _("Sales")
    VIEWER = "viewer", _("Viewer")


class Currency(models.TextChoices):
    """The currency a workspace counts money in; amounts are stored as plain numbers in it."""

    EUR = "EUR", _("EUR (€)")
    USD = "USD", _("USD ($)")
    BRL = "BRL", _("BRL (R$)")
    RON = "RON", _("RON (lei)")
    GBP = "GBP", _("GBP (£)")
    MXN = "MXN", _("MXN (MX$)")
    CHF = "CHF", _("CHF")


class Workspace(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The default language of its members' pages and emails ("" = each browser's language), set by admins; a
    # user's own preference (UserPreference) wins over it.
    language = models.CharField(max_length=10, blank=True, default="", choices=settings.LANGUAGES)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "workspace"], name="membership_unique_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    @property
    def can_write_everything(self) -> bool:
        return self.role in (Role.ADMIN, Role.MARKETING)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class UserPreference(models.Model):
    """One person's language and time zone, whatever the workspace ("" = the workspace's or browser's)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    language = models.CharField(max_length=10, blank=True, default="", choices=settings.LANGUAGES)
    time_zone = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.user}: {self.language or '-'} {self.time_zone or '-'}"


class WorkspaceQuerySet(models.QuerySet[_M]):
    """Rows of one model; ``for_workspace`` scopes them and remembers it (the API's fail-closed check reads it)."""

    _scoped_workspace_id: int | None = None

    def for_workspace(self, workspace: Workspace | int) -> WorkspaceQuerySet[_M]:
        workspace_id = workspace if isinstance(workspace, int) else workspace.pk
        qs = self.filter(workspace_id=workspace_id)
        qs._scoped_workspace_id = workspace_id
        return qs

    def _clone(self) -> WorkspaceQuerySet[_M]:
        clone: WorkspaceQuerySet[_M] = super()._clone()  # type: ignore[misc]
        clone._scoped_workspace_id = self._scoped_workspace_id
        return clone


def queryset_workspace_id(queryset: models.QuerySet[Any]) -> int | None:
    """The workspace a queryset was scoped to with ``for_workspace`` (None: not scoped)."""
    return getattr(queryset, "_scoped_workspace_id", None)


WorkspaceManager = models.Manager.from_queryset(WorkspaceQuerySet)


class WorkspaceOwned(models.Model):
    """Abstract base of every domain row: it belongs to exactly one workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")

    objects = WorkspaceManager()

    class Meta:
        abstract = True


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ApiScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")
    EVENTS = "events", _("Events")
    ADMIN = "admin", _("Admin")  # admin-only operations (webhooks, scoring settings...), as a workspace admin would


API_KEY_PREFIX = "abe_"


def api_key_hash(raw: str) -> str:
    # Keys are 256-bit random strings, so a fast unsalted hash is enough: nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKey(WorkspaceOwned):
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text=_("The first characters of the key, shown to recognise it."))
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @staticmethod
    def generate_raw() -> str:
        return API_KEY_PREFIX + secrets.token_urlsafe(32)

    def mark_used(self) -> None:
        now = timezone.now()
        # Write at most once a minute per key: the hot path of ingestion must not update a row per request.
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now


class Invitation(models.Model):
    """An admin's invitation of an email address to a workspace, accepted by whoever reads that mailbox.

    The link carries a signed, timestamped token (``abe.services.invitation_create``); the row makes it
    one-time and lets admins see and withdraw pending invitations. Nothing about existing users is revealed
    to the inviting admin: an invitation is sent whether or not the address has an account.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.workspace} ({self.role})"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None and self.expires_at > timezone.now()


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(WorkspaceOwned):
    """A piece of long work (a bulk change, a rescore) run by a worker, with its true status for the page that
    started it: queued, running with progress, done with a summary, failed with the reason."""

    kind = models.CharField(max_length=40)
    label = models.CharField(max_length=200, help_text=_("What the job does, as people read it."))
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text=_("The summary when done, the reason when failed."))
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    # ``label`` and ``message`` as message keys (``abe.texts``), read in the reader's language; the columns keep the
    # English the API returns. A job recorded before the keys shows as stored.
    texts = models.JSONField(default=dict, blank=True)
    inline = models.BooleanField(default=False, help_text=_("Run in the web process (embedded default, no worker)."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Every write of the job's state stamps it (created, started, each step's progress, finished): a job queued or
    # running with no stamp for ABE_JOB_STALL_SECONDS is failed by the watchdog (abe.jobs.jobs_stalled_fail).
    progressed_at = models.DateTimeField(default=timezone.now, help_text=_("The last sign of progress."))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "status", "-created_at"], name="job_ws_status_created")]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_status_display()})"

    @property
    def label_text(self) -> str:
        from . import texts

        return texts.shown(self, "label")

    @property
    def message_text(self) -> str:
        from . import texts

        return texts.shown(self, "message")

    @property
    def progress_percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(self.processed * 100 / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    #: A step writes its progress every few minutes (``ABE_TASK_STEP_SECONDS``); longer than this, the card says so.
    QUIET_AFTER_MINUTES = 5

    @property
    def quiet_minutes(self) -> int | None:
        """Whole minutes since the last progress of a job not finished, once past ``QUIET_AFTER_MINUTES``; else
        None. The card shows it, so "running 8 of 10" that has not moved for a while says so (the watchdog fails
        the job at ``ABE_JOB_STALL_SECONDS``)."""
        if self.finished:
            return None
        minutes = int((timezone.now() - self.progressed_at).total_seconds() // 60)
        return minutes if minutes >= self.QUIET_AFTER_MINUTES else None
