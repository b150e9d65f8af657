"""Buyer personas and the buying roles people play in a purchase (seed 001: the buying committee)."""

from __future__ import annotations

from django.db import models

from abe.models import TimeStamped, WorkspaceOwned


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", "Decision maker"
    ECONOMIC_BUYER = "economic_buyer", "Economic buyer"
    CHAMPION = "champion", "Champion"
    INFLUENCER = "influencer", "Influencer"
    TECHNICAL_EVALUATOR = "technical_evaluator", "Technical evaluator"
    END_USER = "end_user", "End user"
    BLOCKER = "blocker", "Blocker"
    GATEKEEPER = "gatekeeper", "Gatekeeper"


class Seniority(models.TextChoices):
    C_LEVEL = "c_level", "C-level"
    VP = "vp", "VP"
    DIRECTOR = "director", "Director"
    MANAGER = "manager", "Manager"
    INDIVIDUAL = "individual", "Individual contributor"


class Department(models.TextChoices):
    EXECUTIVE = "executive", "Executive"
    MARKETING = "marketing", "Marketing"
    SALES = "sales", "Sales"
    SALES_OPS = "sales_ops", "Sales operations"
    FINANCE = "finance", "Finance"
    IT = "it", "IT"
    OPERATIONS = "operations", "Operations"
    PROCUREMENT = "procurement", "Procurement"
    HR = "hr", "HR"
    PRODUCT = "product", "Product"
    OTHER = "other", "Other"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    EVENTS = "events", "Events"
    SOCIAL = "social", "Social"
    WEBINAR = "webinar", "Webinar"
    DIRECT_MAIL = "direct_mail", "Direct mail"
    WEB = "web", "Web"


class Persona(WorkspaceOwned, TimeStamped):
    name = models.CharField(max_length=120)
    department = models.CharField(max_length=20, choices=Department.choices, blank=True)
    seniority = models.CharField(max_length=20, choices=Seniority.choices, blank=True)
    typical_buying_role = models.CharField(max_length=30, choices=BuyingRole.choices, blank=True)
    challenges = models.TextField(blank=True)
    goals = models.TextField(blank=True)
    career_goals = models.TextField(blank=True)
    information_sources = models.TextField(blank=True, help_text="Where they get information.")
    preferred_channels = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="persona_unique_name")]

    def __str__(self) -> str:
        return self.name

    def sales_can_edit(self, user) -> bool:  # personas belong to marketing
        return False

    @property
    def preferred_channel_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [labels.get(c, c) for c in self.preferred_channels]


class CommitteeTemplate(WorkspaceOwned, TimeStamped):
    """The roles (optionally persona or department) a complete buying committee needs, for one tier.

    ``requirements``: ``[{"role": BuyingRole value or "", "department": Department value or "",
    "persona": persona id or null, "count": n}, ...]``; at least one of role, department or persona is set.
    ``engaged_days``: a contact counts as engaged when their last engagement is at most this many days old.
    """

    tier = models.CharField(max_length=20)
    requirements = models.JSONField(default=list, blank=True)
    engaged_days = models.PositiveIntegerField(default=30)

    class Meta:
        ordering = ["tier"]
        constraints = [models.UniqueConstraint(fields=["workspace", "tier"], name="committee_template_one_per_tier")]

    def __str__(self) -> str:
        return f"Committee template ({self.tier})"

    def sales_can_edit(self, user) -> bool:  # admins and marketing edit committee templates
        return False
