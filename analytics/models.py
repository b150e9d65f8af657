"""Analytics: daily fact rollups, programme spend, economics settings, maturity assessments and the rollout plan.

Invariants:
- :class:`AccountDayFact` holds one row per (account, UTC day) on which something happened to the account
  (events, opportunities created or closed, alerts raised / acknowledged / resolved, tasks done, stage moves).
  It is derived state: ``analytics.services.rollups`` rebuilds any range of it from the source tables, so a
  repeated or overlapping refresh gives the same rows.
- :class:`SegmentDayFact` sums the account facts per (day, tier, owner, industry) using the account's tier,
  owner and industry at the time of the refresh; :class:`TierDayFact` sums those per (day, tier). Dashboards
  read only these tables, never raw events.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from abe.models import Workspace, WorkspaceOwned
from accounts.models import Account, Tier

# The additive measures shared by the account and the segment facts (name -> help text).
MEASURES: dict[str, str] = {
    "events": "Engagement events (all types).",
    "touches": "Email opens and clicks: outreach that landed.",
    "attempts": "Outbound touches the team logged (top of funnel: attempts).",
    "attempts_answered": "Of those, attempts followed by a reply or form from the account within 14 days.",
    "attempts_to_meeting": "Of those, attempts followed by a meeting with the account within 30 days.",
    "conversations": "Replies and form submissions (top of funnel: meaningful conversations).",
    "meetings": "Meeting events.",
    "content_downloads": "Content downloads and webinar attendance.",
    "opps_created": "Opportunities created that day.",
    "pipeline_created": "Amount of the opportunities created that day.",
    "opps_won": "Opportunities won (closed) that day.",
    "won_amount": "Amount won that day.",
    "new_customers_won": "New-business opportunities won that day (the customers CAC divides by).",
    "opps_lost": "Opportunities lost (closed) that day.",
    "won_cycle_days": "Sum of created-to-close days of the opportunities won that day.",
    "alerts_created": "Alerts raised (suppressed and held-back ones excluded).",
    "alerts_acknowledged": "Alerts acknowledged that day.",
    "ack_seconds": "Sum of seconds from raise to acknowledgement of those alerts.",
    "alerts_resolved": "Alerts resolved that day.",
    "resolve_seconds": "Sum of seconds from raise to resolution of those alerts.",
    "tasks_created": "Tasks created.",
    "tasks_done": "Tasks completed.",
    "stage_entries": "Journey stage changes.",
    "stage_advances": "Stage changes to a later stage.",
    "stage_regressions": "Stage changes to an earlier stage.",
    "mqa_entries": "Entries into the MQA stage.",
}
MONEY_MEASURES = ("pipeline_created", "won_amount")


def _measure_fields() -> dict[str, models.Field]:
    fields: dict[str, models.Field] = {}
    for name, text in MEASURES.items():
        if name in MONEY_MEASURES:
            fields[name] = models.DecimalField(max_digits=18, decimal_places=2, default=0, help_text=text)
        else:
            fields[name] = models.BigIntegerField(default=0, help_text=text)
    return fields


class FactMeasures(models.Model):
    class Meta:
        abstract = True


for _name, _field in _measure_fields().items():
    FactMeasures.add_to_class(_name, _field)


class AccountDayFact(WorkspaceOwned, FactMeasures):
    # Derived state, rebuilt from the sources: no database foreign keys to check on every rollup insert.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+", db_index=False)
    # The unique key (workspace, account, day) serves the per-account refresh: no separate index to maintain.
    # DO_NOTHING: deleting an account must not scan this table; its facts go with the next rebuild (nightly)
    # and readers join the account, so orphans never count. A workspace's deletion removes them by workspace.
    account = models.ForeignKey(
        Account, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "account", "day"], name="account_day_fact_key")]
        indexes = [
            models.Index(fields=["workspace", "day"], name="account_day_fact_ws_day"),
            # Deals per account in a period (programme impact): an index-only scan of the few days with deals.
            models.Index(
                fields=["workspace", "day", "account"],
                include=["opps_created", "won_amount"],
                condition=Q(opps_created__gt=0) | Q(opps_won__gt=0),
                name="account_day_fact_deals",
            ),
            # Accounts engaged in a period: an index-only scan of the active days.
            models.Index(
                fields=["workspace", "day", "account"], condition=Q(events__gt=0), name="account_day_fact_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} on {self.day}"


class SegmentDayFact(WorkspaceOwned, FactMeasures):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    tier = models.CharField(max_length=20, choices=Tier.choices)
    owner_key = models.BigIntegerField(default=0, help_text=_("The owner's user id; 0 for no owner."))
    industry = models.CharField(max_length=100, blank=True)
    accounts_active = models.BigIntegerField(default=0, help_text=_("Accounts with at least one event that day."))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "day", "tier", "owner_key", "industry"], name="segment_day_fact_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.tier}/{self.owner_key}/{self.industry}"


class TierDayFact(WorkspaceOwned, FactMeasures):
    """The segment facts summed per (day, tier): what the dashboards read when no owner, industry or saved view
    narrows them (three rows a day, however many accounts)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    tier = models.CharField(max_length=20, choices=Tier.choices)
    accounts_active = models.BigIntegerField(default=0, help_text=_("Accounts with at least one event that day."))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "day", "tier"], name="tier_day_fact_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.tier}"


class RollupState(WorkspaceOwned):
    """Where the incremental refresh of a workspace stands: changes after ``watermark`` are not rolled up yet."""

    watermark = models.DateTimeField(null=True, blank=True)
    version = models.BigIntegerField(
        default=0, help_text=_("Moves on with every refresh: the dashboards' cache keys include it.")
    )
    last_rebuild_at = models.DateTimeField(null=True, blank=True)
    last_rebuild_seconds = models.FloatField(null=True, blank=True)
    last_refresh_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="rollup_state_one")]


class SpendCategory(models.TextChoices):
    CONTENT = "content", _("Content")
    RESEARCH = "research", _("Research")
    CONTACT_DISCOVERY = "contact_discovery", _("Contact discovery")
    ADVERTISING = "advertising", _("Advertising")
    EVENTS = "events", _("Events")
    PEOPLE = "people", _("People")


class SpendEntry(WorkspaceOwned):
    """Programme spend for a period, optionally for one tier (blank: the whole programme)."""

    period_start = models.DateField()
    period_end = models.DateField()
    tier = models.CharField(max_length=20, choices=Tier.choices, blank=True)
    category = models.CharField(max_length=20, choices=SpendCategory.choices)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="spend_period_order"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="spend_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.period_start}..{self.period_end}: {self.amount}"


class AnalyticsSettings(WorkspaceOwned):
    """Economics assumptions and alert SLAs of a workspace (one row per workspace)."""

    gross_margin = models.FloatField(default=0.75, help_text=_("Share of revenue kept after cost of sales (0..1)."))
    annual_churn = models.FloatField(default=0.15, help_text=_("Share of customers lost per year (0..1)."))
    # Hours to acknowledge an alert, per tier.
    ack_sla_hours = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="analytics_settings_one")]

    def sla_hours(self, tier: str) -> float:
        defaults: dict[str, float] = {"strategic": 4.0, "priority": 24.0, "standard": 72.0}
        return float(self.ack_sla_hours.get(tier, defaults.get(tier, 72.0)))


class MaturityAssessment(WorkspaceOwned):
    """One answer to the 5 x 5 ABM maturity grid: a stage (1..5) per dimension, with the evidence seen."""

    stages = models.JSONField(help_text=_("{dimension key: stage 1..5}"))
    evidence = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class DigestSubscription(WorkspaceOwned):
    """A marketing or admin user who opted in to the weekly programme digest."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="digest_subscription_unique")]


class TierDaySnapshot(WorkspaceOwned):
    """Engagement of one tier at the end of one day, summed from the accounts' score snapshots."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    tier = models.CharField(max_length=20, choices=Tier.choices)
    accounts = models.BigIntegerField(default=0)
    score_sum = models.FloatField(default=0.0)
    engaged = models.BigIntegerField(default=0, help_text=_("Accounts at stage engaged or later."))
    mqa = models.BigIntegerField(default=0, help_text=_("Accounts at stage MQA."))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "day", "tier"], name="tier_day_snapshot_key")]


class RolloutStep(WorkspaceOwned):
    """One of the 13 steps of the account-based rollout plan (seed 001), with its owner and dates."""

    number = models.PositiveSmallIntegerField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    done_at = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["workspace", "number"], name="rollout_step_unique_number")]


class AccountStageReach(WorkspaceOwned):
    """The journey of one account summed up for the cohort funnel: when it entered the journey (its first
    recorded stage change) and, per stage, the days from that entry to its first arrival there or at a later
    stage. ``stage`` "" is the cohort row itself (days 0). Derived from ``JourneyStageChange`` by the rollup
    refreshes (the accounts of a refresh, or all on a rebuild)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+", db_index=False)
    account = models.ForeignKey(
        Account, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    stage = models.CharField(max_length=40, blank=True)
    entered_at = models.DateTimeField()
    days = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "account", "stage"], name="account_stage_reach_key")
        ]
        indexes = [models.Index(fields=["workspace", "entered_at"], name="account_stage_reach_entered")]


class StageStandFact(WorkspaceOwned):
    """Where accounts stand now: accounts per (tier, owner, industry, current stage, day they entered it).

    Rebuilt whole for the workspace by every rollup refresh (one grouped statement over the accounts); the reader
    derives stalled accounts and the median days in stage for any "today" from ``since_day`` (null: no recorded
    stage change)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+", db_index=False)
    tier = models.CharField(max_length=20, choices=Tier.choices)
    owner_key = models.BigIntegerField(default=0, help_text=_("The owner's user id; 0 for no owner."))
    industry = models.CharField(max_length=100, blank=True)
    stage = models.CharField(max_length=40)
    since_day = models.DateField(null=True, blank=True)
    accounts = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["workspace", "stage"], name="stage_stand_fact_ws_stage")]


class AlertSegmentFact(WorkspaceOwned):
    """Alerts raised per (UTC day, tier, owner, industry, rule, severity, assignee), with how many were
    acknowledged and the summed seconds from raise to acknowledgement: alert response by rule and by person."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    tier = models.CharField(max_length=20, choices=Tier.choices)
    owner_key = models.BigIntegerField(default=0)
    industry = models.CharField(max_length=100, blank=True)
    rule_key = models.BigIntegerField(default=0, help_text=_("The rule's id; 0 for system alerts or a deleted rule."))
    severity = models.CharField(max_length=10)
    assignee_key = models.BigIntegerField(default=0, help_text=_("The assignee's user id; 0 for unassigned."))
    raised = models.BigIntegerField(default=0)
    acknowledged = models.BigIntegerField(default=0)
    ack_seconds = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "day", "tier", "owner_key", "industry", "rule_key", "severity", "assignee_key"],
                name="alert_segment_fact_key",
            )
        ]


class TierActiveGap(WorkspaceOwned):
    """Accounts engaged in any period without a scan: per (day, tier), the accounts with events that day counted
    by the previous day they had events (``prev_day``; null: none before). An account is engaged in
    ``[start, end]`` exactly when one of its active days there has no active day before it since ``start``, so
    the engaged accounts of a period are ``SUM(accounts) WHERE day BETWEEN start AND end AND (prev_day IS NULL OR
    prev_day < start)``: a few thousand rows, whatever the number of accounts."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    tier = models.CharField(max_length=20, choices=Tier.choices)
    prev_day = models.DateField(null=True, blank=True)
    accounts = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["workspace", "day"], name="tier_active_gap_ws_day")]


class EventTypeDay(WorkspaceOwned):
    """The engagement types seen on each UTC day (the maturity grid's Programs evidence), kept by the refreshes
    from the scoring workers' day counts: refreshes add the pairs of their accounts, the rebuild replaces all."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    type = models.CharField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "day", "type"], name="event_type_day_key")]


class CommitteeSegmentFact(WorkspaceOwned):
    """Committee coverage per (tier, owner, industry), from the content app's rules over the current contacts
    (``analytics.selectors.committee``), rebuilt whole by every rollup refresh. ``idx`` -1: the accounts' row
    (accounts, summed coverage, accounts with 3+ required roles engaged, single-threaded); otherwise one required
    role of the tier's template (its key and label, and how many accounts have it engaged / known only / missing).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+", db_index=False)
    tier = models.CharField(max_length=20, choices=Tier.choices)
    owner_key = models.BigIntegerField(default=0)
    industry = models.CharField(max_length=100, blank=True)
    idx = models.IntegerField(default=-1)
    role_key = models.CharField(max_length=100, blank=True)
    role_label = models.CharField(max_length=200, blank=True)
    accounts = models.BigIntegerField(default=0)
    coverage_sum = models.FloatField(default=0.0)
    covered = models.BigIntegerField(default=0)
    single_threaded = models.BigIntegerField(default=0)
    engaged = models.BigIntegerField(default=0)
    known = models.BigIntegerField(default=0)
    missing = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["workspace", "tier"], name="committee_segment_fact_ws_tier")]
