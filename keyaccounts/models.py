"""Key accounts: account plans (with objectives, risks, reviews and their history), BANT qualification,
post-sale recurring activities, and news feeds matched to accounts.

Invariants:
- an account has at most one *current* plan (``account_plan_one_current``); older plans are archived;
- every change of a plan's text fields is written to :class:`AccountPlanChange` by the service that made it;
- a plan's ``next_review_due`` is its last review (or creation) plus the cadence of the account's tier;
- an opportunity has at most one BANT row per criterion;
- a news entry is stored once per feed (``entry_key``: a hash of the feed's entry id), and matched to an
  account at most once, so a second fetch of the same entries creates nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from abe import texts as i18n_texts
from abe.models import TimeStamped, WorkspaceOwned
from accounts.models import Account, Contact, Opportunity


class KeyAccountSettings(WorkspaceOwned):
    """Per-workspace review cadence per tier, the win-back delay, and names too ambiguous to match in news."""

    strategic_review_days = models.PositiveIntegerField(default=30, help_text=_("Default monthly"))
    priority_review_days = models.PositiveIntegerField(default=91, help_text=_("Default quarterly"))
    standard_review_days = models.PositiveIntegerField(default=182)
    winback_after_days = models.PositiveIntegerField(default=180, help_text=_("Lost accounts come back after this"))
    news_ignored_names = models.JSONField(
        default=list, blank=True, help_text=_("Account names never matched on their own (e.g. common words)")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="keyaccount_settings_one")]
        verbose_name_plural = "key-account settings"

    def __str__(self) -> str:
        return f"Key-account settings of workspace {self.workspace_id}"

    def review_days(self, tier: str) -> int:
        return {
            "strategic": self.strategic_review_days,
            "priority": self.priority_review_days,
        }.get(tier, self.standard_review_days)


class PlanStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    ARCHIVED = "archived", _("Archived")


PLAN_TEXT_FIELDS = ("goals", "plans", "challenges", "stakes", "timeline")


class AccountPlan(WorkspaceOwned, TimeStamped):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="account_plans")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.CURRENT)
    goals = models.TextField(blank=True, help_text=_("What the customer wants to achieve"))
    plans = models.TextField(blank=True, help_text=_("How they intend to get there"))
    challenges = models.TextField(blank=True, help_text=_("What stands in the way"))
    stakes = models.TextField(blank=True, help_text=_("What happens if they fail (or succeed)"))
    timeline = models.TextField(blank=True, help_text=_("When things must happen"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="account_plans"
    )
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "account"], condition=Q(status="current"), name="account_plan_one_current"
            )
        ]
        indexes = [models.Index(fields=["workspace", "status", "next_review_due"], name="account_plan_ws_due")]

    def __str__(self) -> str:
        return f"Account plan for {self.account}"

    def sales_can_edit(self, user) -> bool:
        return self.account.sales_can_edit(user)


class AccountPlanChange(WorkspaceOwned):
    """Who changed what on a plan (or its objectives, risks, actions), and when."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=60)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    # field, old and new as message keys and parameters (abe.texts), shown in the reader's language; the three
    # columns keep the English the API returns. Changes recorded before these keys were kept show as stored.
    texts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def _text(self, name: str, stored: str) -> str:
        texts = self.texts or {}
        if name in texts and texts[name] is None:
            return ""  # left out on the page ("Plan created" says it all)
        return i18n_texts.render(texts.get(name), stored)

    @property
    def field_text(self) -> str:
        return self._text("field", self.field)

    @property
    def old_text(self) -> str:
        return self._text("old", self.old)

    @property
    def new_text(self) -> str:
        return self._text("new", self.new)


class PlanObjective(WorkspaceOwned, TimeStamped):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(max_length=200, verbose_name=_("title"))
    metric = models.CharField(
        max_length=100, blank=True, help_text=_("Unit of the target, e.g. seats, EUR, %"), verbose_name=_("metric")
    )
    baseline = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"), verbose_name=_("baseline"))
    target = models.DecimalField(max_digits=16, decimal_places=2, verbose_name=_("target"))
    current = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"), verbose_name=_("current"))
    due_date = models.DateField(null=True, blank=True, verbose_name=_("due date"))

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def progress(self) -> float:
        """Share of the way from the baseline to the target, 0 to 1."""
        span = self.target - self.baseline
        if span == 0:
            return 1.0 if self.current >= self.target else 0.0
        return max(0.0, min(1.0, float((self.current - self.baseline) / span)))

    def sales_can_edit(self, user) -> bool:
        return self.plan.account.sales_can_edit(user)


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MITIGATED = "mitigated", _("Mitigated")
    CLOSED = "closed", _("Closed")


class PlanRisk(WorkspaceOwned, TimeStamped):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(max_length=200, verbose_name=_("title"))
    likelihood = models.CharField(
        max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM, verbose_name=_("likelihood")
    )
    impact = models.CharField(
        max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM, verbose_name=_("impact")
    )
    mitigation = models.TextField(blank=True, verbose_name=_("mitigation"))
    status = models.CharField(
        max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN, verbose_name=_("status")
    )

    class Meta:
        ordering = ["status", "-id"]

    def __str__(self) -> str:
        return self.title

    def sales_can_edit(self, user) -> bool:
        return self.plan.account.sales_can_edit(user)


class PlanReview(WorkspaceOwned):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="reviews")
    note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_at", "-id"]


class BantCriterion(models.TextChoices):
    BUDGET = "budget", _("Budget")
    AUTHORITY = "authority", _("Authority")
    NEED = "need", _("Need")
    TIMELINE = "timeline", _("Timeline")


class BantStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Not checked")
    PARTIAL = "partial", _("Partly met")
    CONFIRMED = "confirmed", _("Confirmed")
    NOT_MET = "not_met", _("Not met")


class BantItem(WorkspaceOwned, TimeStamped):
    """One BANT criterion of an opportunity: its status, the evidence, who confirmed it at the customer, when."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="bant_items")
    criterion = models.CharField(max_length=10, choices=BantCriterion.choices)
    status = models.CharField(max_length=10, choices=BantStatus.choices, default=BantStatus.UNKNOWN)
    evidence = models.TextField(blank=True)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_on = models.DateField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["opportunity", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "opportunity", "criterion"], name="bant_item_unique_criterion")
        ]

    def sales_can_edit(self, user) -> bool:
        return self.opportunity.account.sales_can_edit(user)


class ActivityKind(models.TextChoices):
    EXECUTIVE_CHECK_IN = "executive_check_in", _("Executive check-in")
    TRAINING = "training", _("Training session")
    USER_EVENT = "user_event", _("User event")


class RecurringActivity(WorkspaceOwned, TimeStamped):
    """A post-sale activity that repeats (e.g. a quarterly executive check-in); each occurrence is a Task."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="recurring_activities")
    kind = models.CharField(max_length=30, choices=ActivityKind.choices)
    title = models.CharField(max_length=200, blank=True)
    every_days = models.PositiveIntegerField(default=91)
    next_due = models.DateField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["next_due", "id"]
        indexes = [models.Index(fields=["workspace", "is_active", "next_due"], name="recurring_ws_due")]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    def sales_can_edit(self, user) -> bool:
        return self.account.sales_can_edit(user)


class AccountHealth(WorkspaceOwned):
    """One computation of an account's health score with its receipt (the latest is the current one)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="health_scores")
    score = models.FloatField()
    explanation = models.JSONField(default=list)
    # Each receipt row's reason as a message key and parameters (abe.texts), so pages read it in each reader's
    # language; ``explanation`` keeps the English (the API's words).
    texts = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["account", "-computed_at"], name="account_health_latest")]

    @property
    def explanation_rows(self) -> list[tuple[str, Any, Any, str]]:
        """The receipt in the active language: (component, points, max, why)."""
        from .health import explanation_rows

        return explanation_rows(self.explanation or [], (self.texts or {}).get("why") or [])


class NewsFeed(WorkspaceOwned, TimeStamped):
    url = models.URLField(max_length=500)
    name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # last_error as a message key and parameters (abe.texts), shown in the reader's language; last_error stays
    # English (the API's words, and feeds that failed before this field).
    texts = models.JSONField(default=dict, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "url"]
        constraints = [models.UniqueConstraint(fields=["workspace", "url"], name="news_feed_unique_url")]

    def __str__(self) -> str:
        return self.name or self.url

    @property
    def last_error_text(self) -> str:
        if not self.last_error:
            return ""
        return i18n_texts.shown(self, "last_error")


class AccountNewsTerms(WorkspaceOwned):
    """How news is matched to one account: extra names (aliases) and phrases that rule a match out."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="news_terms")
    aliases = models.JSONField(default=list, blank=True)
    exclusions = models.JSONField(default=list, blank=True, help_text=_("An entry containing one is not about it"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "account"], name="account_news_terms_one")]

    def sales_can_edit(self, user) -> bool:
        return self.account.sales_can_edit(user)


class NewsEntry(WorkspaceOwned):
    feed = models.ForeignKey(NewsFeed, on_delete=models.CASCADE, related_name="entries")
    entry_key = models.CharField(max_length=64, help_text=_("SHA-256 of the feed's entry id (or link)"))
    title = models.CharField(max_length=500)
    link = models.URLField(max_length=1000, blank=True)
    summary = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "feed", "entry_key"], name="news_entry_unique_key")]

    def __str__(self) -> str:
        return self.title


class NewsMatch(WorkspaceOwned):
    entry = models.ForeignKey(NewsEntry, on_delete=models.CASCADE, related_name="matches")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="news_matches")
    term = models.CharField(max_length=255, help_text=_("The name, alias or domain that matched"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "entry", "account"], name="news_match_unique")]
        indexes = [models.Index(fields=["account", "-created_at"], name="news_match_account")]
