"""Accounts (the target companies), their buying committee, account team and opportunities.

Invariants: an account's domain is normalised and unique in its workspace (when known); a contact's email is
unique in its workspace (when known); external CRM ids are unique per workspace and model. Scores and tiers
are stored on the account so that list pages read one row per account and never aggregate events.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from abe.models import TimeStamped, WorkspaceOwned
from personas.models import BuyingRole, Department, Persona, Seniority


class Lifecycle(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    CUSTOMER = "customer", "Customer"
    FORMER_CUSTOMER = "former_customer", "Former customer"


class OwnershipType(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private"
    SUBSIDIARY = "subsidiary", "Subsidiary"
    GOVERNMENT = "government", "Government"
    NON_PROFIT = "non_profit", "Non-profit"
    OTHER = "other", "Other"


class Tier(models.TextChoices):
    STRATEGIC = "strategic", "Strategic (1:1)"
    PRIORITY = "priority", "Priority (1:few)"
    STANDARD = "standard", "Standard (1:many)"


class Account(WorkspaceOwned, TimeStamped):
    name = models.CharField(max_length=255)
    domain = models.CharField(max_length=255, blank=True, help_text="Normalised: example.com")
    industry = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code")
    region = models.CharField(max_length=100, blank=True, help_text="State, province or region")
    city = models.CharField(max_length=100, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    annual_revenue = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    founded_year = models.PositiveSmallIntegerField(null=True, blank=True)
    ownership_type = models.CharField(max_length=20, choices=OwnershipType.choices, blank=True)
    number_of_offices = models.PositiveIntegerField(null=True, blank=True)
    technologies = models.JSONField(default=list, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="subsidiaries")
    lifecycle = models.CharField(max_length=20, choices=Lifecycle.choices, default=Lifecycle.PROSPECT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_accounts"
    )
    external_id = models.CharField(max_length=64, blank=True, help_text="Id in the CRM")

    # Prospecting (fit, prediction, priority, tier).
    fit_score = models.FloatField(null=True, blank=True)
    fit_grade = models.CharField(max_length=1, blank=True)
    win_probability = models.FloatField(null=True, blank=True)
    priority = models.FloatField(null=True, blank=True)
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.STANDARD)
    tier_locked = models.BooleanField(default=False, help_text="Pinned by hand; automatic tiering leaves it.")

    # Engagement summary, kept current by the scoring workers.
    engagement_score = models.FloatField(default=0.0)
    engagement_momentum = models.FloatField(null=True, blank=True)
    journey_stage = models.CharField(max_length=40, default="unaware")
    journey_stage_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "domain"], condition=~Q(domain=""), name="account_unique_domain"
            ),
            models.UniqueConstraint(
                fields=["workspace", "external_id"], condition=~Q(external_id=""), name="account_unique_external_id"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "name"], name="account_ws_name"),
            models.Index(fields=["workspace", "tier", "-priority"], name="account_ws_tier_priority"),
            models.Index(fields=["workspace", "owner"], name="account_ws_owner"),
            models.Index(fields=["workspace", "-engagement_score"], name="account_ws_engagement"),
        ]

    def __str__(self) -> str:
        return self.name

    def sales_can_edit(self, user) -> bool:
        if user is None or not user.is_authenticated:
            return False
        if self.owner_id == user.pk:
            return True
        return self.team_members.filter(user_id=user.pk).exists()


class Contact(WorkspaceOwned, TimeStamped):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=20, choices=Department.choices, blank=True)
    seniority = models.CharField(max_length=20, choices=Seniority.choices, blank=True)
    buying_role = models.CharField(max_length=30, choices=BuyingRole.choices, blank=True)
    persona = models.ForeignKey(Persona, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    do_not_contact = models.BooleanField(default=False)
    external_id = models.CharField(max_length=64, blank=True)

    engagement_score = models.FloatField(default=0.0)
    last_engaged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], condition=~Q(email=""), name="contact_unique_email"),
            models.UniqueConstraint(
                fields=["workspace", "external_id"], condition=~Q(external_id=""), name="contact_unique_external_id"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "account"], name="contact_ws_account")]

    def __str__(self) -> str:
        return self.full_name or self.email or f"Contact {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def sales_can_edit(self, user) -> bool:
        return self.account.sales_can_edit(user)


class TeamRole(models.TextChoices):
    ACCOUNT_EXECUTIVE = "account_executive", "Account executive"
    SDR = "sdr", "Sales development rep"
    MARKETING_SPECIALIST = "marketing_specialist", "Marketing specialist"
    SUPPORT_REP = "support_rep", "Support rep"
    INDUSTRY_SPECIALIST = "industry_specialist", "Industry marketing specialist"
    PRODUCT_MANAGER = "product_manager", "Product manager"


class AccountTeamMember(WorkspaceOwned):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_teams")
    team_role = models.CharField(max_length=30, choices=TeamRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team_role", "user__username"]
        constraints = [models.UniqueConstraint(fields=["account", "user", "team_role"], name="team_member_unique_role")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_team_role_display()}) on {self.account}"

    def sales_can_edit(self, user) -> bool:
        return self.account.sales_can_edit(user)


class OpportunityType(models.TextChoices):
    NEW_BUSINESS = "new_business", "New business"
    CROSS_SELL = "cross_sell", "Cross-sell"
    UP_SELL = "up_sell", "Up-sell"
    RENEWAL = "renewal", "Renewal"


class OpportunityStatus(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class Opportunity(WorkspaceOwned, TimeStamped):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="opportunities")
    name = models.CharField(max_length=255)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    stage = models.CharField(max_length=80, blank=True)
    type = models.CharField(max_length=20, choices=OpportunityType.choices, default=OpportunityType.NEW_BUSINESS)
    created_date = models.DateField()
    close_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN)
    external_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_date", "name"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], condition=~Q(external_id=""), name="opportunity_unique_external_id"
            ),
            models.CheckConstraint(
                condition=Q(close_date__isnull=True) | Q(close_date__gte=models.F("created_date")),
                name="opportunity_close_after_create",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "status", "close_date"], name="opportunity_ws_status")]

    def __str__(self) -> str:
        return self.name

    def sales_can_edit(self, user) -> bool:
        return self.account.sales_can_edit(user)
