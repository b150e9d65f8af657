"""Buyer personas and the buying roles people play in a purchase (seed 001: the buying committee)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from abe.models import TimeStamped, WorkspaceOwned


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    ECONOMIC_BUYER = "economic_buyer", _("Economic buyer")
    CHAMPION = "champion", _("Champion")
    INFLUENCER = "influencer", _("Influencer")
    TECHNICAL_EVALUATOR = "technical_evaluator", _("Technical evaluator")
    END_USER = "end_user", _("End user")
    BLOCKER = "blocker", _("Blocker")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")


class Seniority(models.TextChoices):
    C_LEVEL = "c_level", _("C-level")
    VP = "vp", _("VP")
    DIRECTOR = "director", _("Director")
    MANAGER = "manager", _("Manager")
    INDIVIDUAL = "individual", _("Individual contributor")


class Department(models.TextChoices):
    EXECUTIVE = "executive", _("Executive")
    MARKETING = "marketing", _("Marketing")
    SALES = "sales", _("Sales")
    SALES_OPS = "sales_ops", _("Sales operations")
    FINANCE = "finance", _("Finance")
    IT = "it", _("IT")
    OPERATIONS = "operations", _("Operations")
    PROCUREMENT = "procurement", _("Procurement")
    HR = "hr", _("HR")
    PRODUCT = "product", _("Product")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    EVENTS = "events", _("Events")
    SOCIAL = "social", _("Social")
    WEBINAR = "webinar", _("Webinar")
    DIRECT_MAIL = "direct_mail", _("Direct mail")
    WEB = "web", _("Web")


class Persona(WorkspaceOwned, TimeStamped):
    name = models.CharField(max_length=120, verbose_name=_("name"))
    department = models.CharField(max_length=20, choices=Department.choices, blank=True, verbose_name=_("department"))
    seniority = models.CharField(max_length=20, choices=Seniority.choices, blank=True, verbose_name=_("seniority"))
    typical_buying_role = models.CharField(
        max_length=30, choices=BuyingRole.choices, blank=True, verbose_name=_("typical buying role")
    )
    challenges = models.TextField(blank=True, verbose_name=_("challenges"))
    goals = models.TextField(blank=True, verbose_name=_("goals"))
    career_goals = models.TextField(blank=True, verbose_name=_("career goals"))
    information_sources = models.TextField(
        blank=True, help_text=_("Where they get information."), verbose_name=_("information sources")
    )
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
