"""Engagement events (append-only) and journey-stage history.

An event is idempotent on ``(workspace, source, external_id)`` for all time: replaying a batch adds nothing.
Scores derived from events live on ``Account`` / ``Contact`` (kept current by the scoring workers), so that
pages never aggregate this table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from abe.models import Workspace, WorkspaceOwned
from accounts.models import Account, Contact
from content.models import ContentAsset


class EventType(models.TextChoices):
    EMAIL_OPEN = "email_open", _("Email open")
    EMAIL_CLICK = "email_click", _("Email click")
    WEB_VISIT = "web_visit", _("Web visit")
    PRICING_PAGE_VISIT = "pricing_page_visit", _("Pricing page visit")
    CONTENT_DOWNLOAD = "content_download", _("Content download")
    WEBINAR_REGISTRATION = "webinar_registration", _("Webinar registration")
    WEBINAR_ATTENDANCE = "webinar_attendance", _("Webinar attendance")
    EVENT_ATTENDANCE = "event_attendance", _("Event attendance")
    MEETING = "meeting", _("Meeting")
    REPLY = "reply", _("Reply")
    FORM_SUBMISSION = "form_submission", _("Form submission")
    INTENT_SIGNAL = "intent_signal", _("Intent signal")
    TRIGGER_EVENT = "trigger_event", _("Trigger event")
    # The team's own outreach (an email sent from a template, a play step done): shown in the timeline, never
    # scored, and not accepted by the ingest API.
    OUTBOUND_TOUCH = "outbound_touch", _("Outbound touch")


# The types that count towards scores (everything but the team's own outbound touches).
SCORED_EVENT_CHOICES: list[tuple[str, str | Promise]] = [
    (v, label) for v, label in EventType.choices if v != "outbound_touch"
]
SCORED_EVENT_TYPES: list[str] = [v for v, _ in SCORED_EVENT_CHOICES]


class TriggerKind(models.TextChoices):
    """``metadata["kind"]`` of a trigger event (seed 003: alerts on changes and key events)."""

    FUNDING = "funding", _("Funding round")
    EXECUTIVE_HIRE = "executive_hire", _("Executive hire")
    EXECUTIVE_CHANGE = "executive_change", _("Executive change")
    PRODUCT_LAUNCH = "product_launch", _("Product launch")
    ACQUISITION = "acquisition", _("Acquisition")
    EXPANSION = "expansion", _("Expansion")
    NEWS = "news", _("News mention")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEB = "web", _("Web")
    EVENT = "event", _("Event")
    WEBINAR = "webinar", _("Webinar")
    PHONE = "phone", _("Phone")
    SOCIAL = "social", _("Social")
    ADVERTISING = "advertising", _("Advertising")
    THIRD_PARTY = "third_party", _("Third-party data")
    DIRECT_MAIL = "direct_mail", _("Direct mail")
    OTHER = "other", _("Other")


class EngagementEvent(WorkspaceOwned):
    # Covered by the composite indexes below: a separate index per foreign key would only slow ingestion.
    # No database constraint on the workspace: PostgreSQL checks a foreign key row by row, and 5,000 checks of the
    # same workspace row cost a batch ~30 ms (a sixth of its SQL). The account's constraint already holds every
    # event to an existing account, whose own constraint holds it to its workspace; the ORM still cascades a
    # workspace's deletion to its events (docs/performance.md, "Incremental scoring at full scale").
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="engagement_events", db_index=False)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="engagement_events", db_index=False
    )
    type = models.CharField(max_length=32, choices=EventType.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    # Deleting an asset sets its events' asset to NULL: a partial index (rows with an asset only, so events without
    # one cost ingest nothing) makes that a lookup instead of a scan of the whole event table.
    content_asset = models.ForeignKey(
        ContentAsset, null=True, blank=True, on_delete=models.SET_NULL, related_name="engagement_events", db_index=False
    )
    occurred_at = models.DateTimeField()
    source = models.CharField(max_length=64)
    external_id = models.CharField(max_length=128)
    metadata = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "source", "external_id"], name="event_idempotency_key")
        ]
        # Time-range scans of a workspace use the BRIN index on occurred_at (migration 0003): a B-tree on
        # (workspace, occurred_at) would cost every ingested row one more index insert for what BRIN does.
        indexes = [
            models.Index(fields=["account", "occurred_at"], name="event_account_time"),
            models.Index(fields=["contact", "occurred_at"], name="event_contact_time"),
            models.Index(
                fields=["content_asset"], name="event_content_asset", condition=models.Q(content_asset__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} on {self.account_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


class JourneyStageChange(WorkspaceOwned):
    """One row per change of an account's journey stage, so velocity between stages can be measured."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=40, blank=True)
    to_stage = models.CharField(max_length=40)
    changed_at = models.DateTimeField()
    # The configuration change whose recompute made this move (its key, e.g. "engagement_settings:v7"), empty for
    # moves made by events and time: the summary notice's link lists exactly the accounts of one change.
    config_change = models.CharField(max_length=80, blank=True, default="")

    class Meta:
        ordering = ["-changed_at"]
        indexes = [
            models.Index(fields=["workspace", "to_stage", "changed_at"], name="stage_change_ws_stage"),
            models.Index(
                fields=["workspace", "config_change"],
                name="stage_change_ws_config",
                condition=~models.Q(config_change=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.from_stage or '—'} → {self.to_stage}"


def contact_key(contact_id: int | None) -> int:
    """The non-null stand-in for a contact in unique keys: account-level signals (no contact) use 0."""
    return contact_id or 0


class EngagementConfig(WorkspaceOwned):
    """A workspace's scoring and journey-stage configuration (one row per workspace; see docs).

    Dictionaries are keyed by ``EventType`` / ``BuyingRole`` / ``Seniority`` values; a missing key falls back to
    the defaults of ``engagement.rules``. ``version`` grows on every save, so a full recompute can tell which
    configuration it applied.
    """

    weights = models.JSONField(default=dict, blank=True)
    half_lives = models.JSONField(default=dict, blank=True, help_text=_("Days, per event type."))
    daily_caps = models.JSONField(default=dict, blank=True, help_text=_("Events counted per contact, type and day."))
    role_multipliers = models.JSONField(default=dict, blank=True)
    seniority_multipliers = models.JSONField(default=dict, blank=True)
    breadth_bonus_per_role = models.FloatField(default=0.15)
    stages = models.JSONField(default=list, blank=True)
    create_unknown_contacts = models.BooleanField(
        default=True, help_text=_("Create a contact for an unknown email at a known account domain.")
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="engagement_config_one_per_workspace")]

    def __str__(self) -> str:
        return f"Engagement config of {self.workspace_id} (v{self.version})"


class EngagementDay(WorkspaceOwned):
    """How many events of one type one contact (or the account itself) had on one UTC day.

    Config-independent (exact counts), so caps and half-lives can change and be re-applied without reading
    the event table again; also the source of momentum, breadth and the trend backfill.
    """

    # Derived state, rebuilt from the events by a full recompute and written only next to the validated events
    # it counts: Django cascades deletes, and no database trigger checks every row of every batch.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    contact_key = models.BigIntegerField(default=0)
    type = models.CharField(max_length=32, choices=EventType.choices)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField()

    class Meta:
        # The unique key serves the scoring pass too (the last 35 days of some accounts: the key's leading account,
        # its day tested on each entry), as fast as an (account, day) index did, so the fold adds each new day
        # bucket to one index fewer (docs/performance.md, "Incremental scoring: the fold in one statement").
        # Workspace-wide reads (recompute, backfill) are rare full scans, not worth one more index to update.
        constraints = [
            models.UniqueConstraint(
                fields=["account", "contact_key", "type", "day", "workspace"], name="engagement_day_key"
            )
        ]


class ScoreComponent(WorkspaceOwned):
    """The decayed, capped event count of one (account, contact, type), stored as a log-sum-exp.

    ``log_sum = ln(Σ min(count_d, cap) · 2^((d − R) / h))`` over the days ``d`` of the bucket rows, with the
    reference time ``R`` of ``engagement.rules.REFERENCE``. New events only add a non-negative term, so
    ingestion updates it with ``logaddexp`` and never rewrites old terms; the value at time ``T`` is
    ``exp(log_sum − ln2 · (T − R) / h)``. Weights and multipliers apply when reading, not here.
    """

    # Derived state like EngagementDay: no database-level foreign key checks.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    contact_key = models.BigIntegerField(default=0)
    type = models.CharField(max_length=32, choices=EventType.choices)
    log_sum = models.FloatField(null=True, blank=True, help_text=_("None: every event was over its daily cap."))
    events = models.PositiveIntegerField(default=0, help_text=_("Events received (before caps)."))
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "contact_key", "type", "workspace"], name="score_component_key")
        ]


class AccountEngagement(WorkspaceOwned):
    """What the last scoring pass knew about an account beyond its score: breadth and the momentum inputs."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="engagement")
    breadth = models.PositiveSmallIntegerField(default=0, help_text=_("Distinct buying roles engaged, last 30 days."))
    roles = models.JSONField(default=list, blank=True)
    engaged_contacts = models.PositiveIntegerField(default=0)
    points_7d = models.FloatField(default=0.0)
    baseline_weekly = models.FloatField(default=0.0)
    scored_at = models.DateTimeField()
    config_version = models.PositiveIntegerField(default=0)

    class Meta:
        # One row per account; the workspace is in the key so the table can be distributed by it.
        constraints = [models.UniqueConstraint(fields=["account", "workspace"], name="account_engagement_one")]


class AccountScoreSnapshot(WorkspaceOwned):
    """An account's score, momentum and stage at the end of one UTC day (the trend chart)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+", db_index=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="score_snapshots", db_index=False)
    day = models.DateField()
    score = models.FloatField()
    momentum = models.FloatField(null=True, blank=True)
    stage = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day", "workspace"], name="score_snapshot_account_day")
        ]
        indexes = [models.Index(fields=["workspace", "day"], name="score_snapshot_ws_day")]


class PendingBatch(WorkspaceOwned):
    """The day-count increments of one ingested batch, waiting for its scoring task to fold them in.

    Written in the ingest transaction (one row per batch, next to the events it summarises), deleted in the
    transaction that adds it to the day counts and components: each batch is applied exactly once, in any order.
    ``deltas``: ``[[account_id, contact_id or null, type, "YYYY-MM-DD", events, last occurred_at], ...]``.
    """

    deltas = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    # A batch whose fold fails is retried with backoff (``retry_at``), then quarantined: it no longer blocks or
    # slows the batches after it, and admins see its error on the scoring settings page.
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    quarantined_at = models.DateTimeField(null=True, blank=True)


class EventImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class EventImport(WorkspaceOwned):
    """A CSV upload of events, run by a worker in chunks of up to 5,000 rows, each its own transaction.

    The counters are updated after each committed chunk, so the report always says exactly what was saved:
    ``processed_rows`` lines are done (accepted, duplicates or rejected), the rest were not read yet. A repeated
    task resumes after ``processed_rows`` (and ingest is idempotent anyway).
    """

    file = models.FileField(upload_to="event-imports/%Y/%m/")
    filename = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=EventImportStatus.choices, default=EventImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(
        default=list, blank=True, help_text=_("[[line, {field: [messages]}]], the first 1,000.")
    )
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Stamped when the upload starts and at each committed chunk: one queued or running with no stamp for
    # ABE_JOB_STALL_SECONDS is failed by the watchdog (``event_imports_stalled_fail``).
    progressed_at = models.DateTimeField(default=timezone.now, help_text=_("The last sign of progress."))
    # ``message`` as a message key (``abe.texts``), read in the reader's language; the column keeps the English the
    # API returns.
    texts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def message_text(self) -> str:
        from abe import texts

        return texts.shown(self, "message")

    @property
    def rejected_text(self) -> list[tuple[int, dict[str, list[str]]]]:
        """``rejected`` with each reason in the reader's language (stored in English: see ``error_text``)."""
        from .services.ingest import error_text

        shown: dict[str, str] = {}  # up to 1,000 lines, mostly the same few reasons: each one matched once

        def text(message: str) -> str:
            if message not in shown:
                shown[message] = error_text(message)
            return shown[message]

        return [(line, {name: [text(m) for m in ms] for name, ms in errors.items()}) for line, errors in self.rejected]

    @property
    def progress_percent(self) -> int:
        return 100 if not self.total_rows else min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_finished(self) -> bool:
        return self.status in (EventImportStatus.DONE, EventImportStatus.FAILED)
