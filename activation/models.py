"""Activation rules, their per-account state, alerts, and the outbox of deliveries (email and webhooks).

Invariants:
- an alert is unique on ``(workspace, dedupe_key)``; the key names the rule, the account (and contact) and
  the crossing or source row that fired it, so a replay or a retried task can never create a second one;
- a level condition (a threshold, a spike, a committee size...) keeps one :class:`RuleState` row per
  ``(rule, account, contact)`` with an ``active`` flag: it fires when the flag goes up and re-arms when
  the value falls back, and the crossing number is part of the dedupe key;
- an alert held back by the rule's cool-down is still written, with status ``suppressed``, so that the
  crossing is consumed (it never fires late) and admins can see how often a rule is muted; a crossing caused
  by a configuration change's recompute is written likewise with status ``held_back``;
- deliveries (:class:`EmailDelivery`, :class:`WebhookDelivery`) are written in the same transaction as
  their alert and sent by workers after commit; a delivery with ``sent_at`` is never sent again.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from abe import texts as i18n_texts
from abe.models import TimeStamped, WorkspaceOwned
from accounts.models import Account, Contact


class ConditionType(models.TextChoices):
    SCORE_THRESHOLD = "score_threshold", _("Score crosses a threshold")
    SPIKE = "spike", _("Engagement spike (momentum)")
    COMMITTEE_BREADTH = "committee_breadth", _("Committee members engaged")
    ROLE_ENGAGED = "role_engaged", _("Buying role engaged")
    STAGE_ENTERED = "stage_entered", _("Journey stage entered")
    TRIGGER_EVENT = "trigger_event", _("Trigger event received")
    ENGAGEMENT_DROP = "engagement_drop", _("Engagement drop (churn risk)")
    MISSING_ROLE = "missing_role", _("Missing buying role")
    DEAL_MISSING_ROLE = "deal_missing_role", _("Open deal missing a buying role")
    # Key-account warning signs (seed 002): the relationship is about to change.
    KEY_CONTACT_QUIET = "key_contact_quiet", _("Champion or decision maker gone quiet or left")
    RENEWAL_RISK = "renewal_risk", _("Renewal near with falling engagement")
    MISSED_CHECK_INS = "missed_check_ins", _("Missed post-sale check-ins")
    HEALTH_DROP = "health_drop", _("Health-score drop")


# Conditions whose truth changes with the passage of time alone: the scheduler re-evaluates them.
TIME_BASED_CONDITIONS = (
    ConditionType.COMMITTEE_BREADTH,
    ConditionType.ENGAGEMENT_DROP,
    ConditionType.MISSING_ROLE,
    ConditionType.DEAL_MISSING_ROLE,
    ConditionType.KEY_CONTACT_QUIET,
    ConditionType.RENEWAL_RISK,
    ConditionType.MISSED_CHECK_INS,
    ConditionType.HEALTH_DROP,
)


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class Rule(WorkspaceOwned, TimeStamped):
    """An activator: a condition on an account, the accounts it applies to, and who hears about it.

    ``params`` holds the condition's settings, validated by ``activation.services.rules`` per type.
    Empty filter lists mean "any".
    """

    name = models.CharField(max_length=150, verbose_name=_("name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    condition_type = models.CharField(max_length=30, choices=ConditionType.choices, verbose_name=_("condition type"))
    params = models.JSONField(default=dict, blank=True)
    filter_tiers = models.JSONField(default=list, blank=True)
    filter_lifecycles = models.JSONField(default=list, blank=True)
    filter_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("filter owner"),
    )
    severity = models.CharField(
        max_length=10, choices=Severity.choices, default=Severity.MEDIUM, verbose_name=_("severity")
    )
    cooldown_hours = models.PositiveIntegerField(default=24, verbose_name=_("cooldown hours"))
    recommended_action = models.TextField(blank=True, verbose_name=_("recommended action"))
    notify_owner = models.BooleanField(default=True, verbose_name=_("notify owner"))
    notify_team_roles = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="activation_rule_unique_name")]
        indexes = [models.Index(fields=["workspace", "is_active"], name="activation_rule_ws_active")]

    def __str__(self) -> str:
        return self.name


class RuleState(WorkspaceOwned):
    """What a level condition last saw for one account (or contact): is it above the line, and how often it crossed."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="states")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(default=False)
    crossings = models.PositiveIntegerField(default=0)
    last_value = models.FloatField(null=True, blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "account", "workspace"],
                condition=Q(contact__isnull=True),
                name="rule_state_unique_account",
            ),
            models.UniqueConstraint(
                fields=["rule", "account", "contact", "workspace"],
                condition=Q(contact__isnull=False),
                name="rule_state_unique_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.account_id}/{self.contact_id or '-'}: {'active' if self.active else 'armed'}"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    SNOOZED = "snoozed", _("Snoozed")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")
    SUPPRESSED = "suppressed", _("Suppressed (cool-down)")
    HELD_BACK = "held_back", _("Held back (configuration change)")


ACTIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
# Written to consume a crossing but never delivered: muted by the rule's cool-down, or held back because a
# configuration change caused it (one summary notice speaks for those).
UNDELIVERED_STATUSES = (AlertStatus.SUPPRESSED, AlertStatus.HELD_BACK)


class AlertKind(models.TextChoices):
    RULE = "rule", _("Rule")
    SYSTEM = "system", _("System notice")


class Alert(WorkspaceOwned):
    kind = models.CharField(max_length=10, choices=AlertKind.choices, default=AlertKind.RULE)
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    contacts = models.ManyToManyField(Contact, blank=True, related_name="alerts")
    dedupe_key = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    title = models.CharField(max_length=255)
    message = models.TextField(help_text=_("Why it fired: the events and figures."))
    recommended_action = models.TextField(blank=True)
    facts = models.JSONField(default=dict, blank=True)
    # title, message and recommended_action as message keys and parameters (abe.texts), shown in the reader's
    # language; the English columns above stay as they were (the API's words, and older alerts).
    texts = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_alerts"
    )
    snoozed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    snoozed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "dedupe_key"], name="alert_unique_dedupe_key")]
        indexes = [
            models.Index(fields=["workspace", "status", "-created_at"], name="alert_ws_status_created"),
            models.Index(fields=["rule", "account", "-created_at"], name="alert_rule_account_created"),
            models.Index(fields=["status", "snoozed_until"], name="alert_status_snoozed"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title_text(self) -> str:
        return i18n_texts.shown(self, "title")

    @property
    def message_text(self) -> str:
        return i18n_texts.shown(self, "message")

    @property
    def recommended_action_text(self) -> str:
        return i18n_texts.shown(self, "recommended_action")

    @cached_property
    def age(self) -> str:
        """How long ago it fired, as the inbox's row shows it ("3 hours, 5 minutes"), in the active language.
        Computed once per instance, so the row cache's key (:func:`activation.views.alert_row_values`) and the row
        it names read the same text."""
        return timesince(self.created_at)


class AlertRecipient(WorkspaceOwned):
    """One person on the account team who receives an alert in their inbox; ``read_at`` drives the unread badge."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_inbox")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "user", "workspace"], name="alert_recipient_unique")]
        indexes = [models.Index(fields=["user", "workspace", "read_at"], name="alert_recipient_user_unread")]


class AlertAction(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    RESOLVE = "resolve", _("Resolve")
    DISMISS = "dismiss", _("Dismiss")
    SNOOZE = "snooze", _("Snooze")
    REOPEN = "reopen", _("Reopen")
    WAKE = "wake", _("Snooze ended")
    ASSIGN = "assign", _("Assign")


class AlertTransition(WorkspaceOwned):
    """Every change of an alert, timestamped, so response times can be measured."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=15, choices=AlertAction.choices)
    from_status = models.CharField(max_length=15, choices=AlertStatus.choices)
    to_status = models.CharField(max_length=15, choices=AlertStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    #: Who an ``assign`` made the owner (none: the alert was unassigned). Stored as a reference, not as text, so the
    #: history reads "Assigned to …" in the reader's language.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]


class EmailMode(models.TextChoices):
    INSTANT = "instant", _("Instantly")
    DIGEST = "digest", _("Daily digest")
    OFF = "off", _("No email")


class NotificationPreference(WorkspaceOwned):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email_mode = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.INSTANT)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="notification_pref_unique")]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(WorkspaceOwned):
    """Outbox row: written with its cause, sent after commit by a worker, swept by the scheduler if never sent."""

    idempotency_key = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        abstract = True


class EmailKind(models.TextChoices):
    ALERT = "alert", _("Alert")
    DIGEST = "digest", _("Daily digest")


class EmailDelivery(Delivery):
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="emails")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=EmailKind.choices, default=EmailKind.ALERT)
    to = models.EmailField()
    subject = models.CharField(max_length=255)
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "idempotency_key"], name="email_delivery_unique_key")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_delivery_due")]


class WebhookFormat(models.TextChoices):
    AUTO = "auto", _("Automatic (Slack for hooks.slack.com, JSON otherwise)")
    JSON = "json", _("JSON")
    SLACK = "slack", _("Slack incoming webhook")


class WebhookSubscription(WorkspaceOwned, TimeStamped):
    name = models.CharField(max_length=120, verbose_name=_("name"))
    url = models.URLField(max_length=500, verbose_name=_("url"))
    secret = models.CharField(max_length=100)
    # After a rotation the old secret keeps signing (a second ``v1=``) until ``previous_secret_expires_at``, so
    # receivers can switch without losing deliveries.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    format = models.CharField(
        max_length=10, choices=WebhookFormat.choices, default=WebhookFormat.AUTO, verbose_name=_("format")
    )
    min_severity = models.CharField(
        max_length=10, choices=Severity.choices, default=Severity.LOW, verbose_name=_("min severity")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def signing_secrets(self, now: datetime | None = None) -> list[str]:
        """The secrets that sign a delivery now: the current one, then the previous one during the overlap."""
        now = now or timezone.now()
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            secrets.append(self.previous_secret)
        return secrets

    @property
    def secret_masked(self) -> str:
        """What pages and the API show after creation: enough to recognise the secret, not to use it."""
        return f"{self.secret[:6]}…{self.secret[-4:]}" if len(self.secret) > 12 else "…"

    @property
    def effective_format(self) -> str:
        if self.format == WebhookFormat.AUTO:
            return WebhookFormat.SLACK if "hooks.slack.com" in self.url else WebhookFormat.JSON
        return self.format


class WebhookDelivery(Delivery):
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_deliveries")
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "idempotency_key"], name="webhook_delivery_unique_key")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_sub"),
        ]


class WebhookAttempt(WorkspaceOwned):
    """The delivery log: one row per HTTP attempt, with its status code (or the network error)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attempted_at", "id"]
