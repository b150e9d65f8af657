"""The content library: assets mapped to persona, buying stage, effort and tier (seed 001, content by stage)."""

from __future__ import annotations

from django.db import models

from abe.models import TimeStamped, WorkspaceOwned
from personas.models import Persona


class ContentFormat(models.TextChoices):
    EMAIL = "email", "Personalised email"
    BLOG = "blog", "Blog post"
    INFOGRAPHIC = "infographic", "Infographic"
    VIDEO = "video", "Short video"
    REPORT = "report", "Report"
    WEBINAR = "webinar", "Webinar"
    WORKSHOP = "workshop", "Workshop"
    BUSINESS_CASE = "business_case", "Business case (ROI)"
    TRIAL = "trial", "Trial"
    DIRECT_MAIL = "direct_mail", "Direct mail"
    CASE_STUDY = "case_study", "Case study"
    EVENT = "event", "Event"


class BuyingStage(models.TextChoices):
    PROSPECTING = "prospecting", "Prospecting"
    ENGAGEMENT = "engagement", "Engagement"
    ACTIVATION = "activation", "Activation"
    POST_SALE = "post_sale", "After the sale"


class Effort(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class ContentAsset(WorkspaceOwned, TimeStamped):
    title = models.CharField(max_length=255)
    url = models.URLField(max_length=500, blank=True)
    format = models.CharField(max_length=20, choices=ContentFormat.choices)
    stage = models.CharField(max_length=20, choices=BuyingStage.choices, default=BuyingStage.PROSPECTING)
    effort = models.CharField(max_length=10, choices=Effort.choices, default=Effort.LOW)
    tiers = models.JSONField(default=list, blank=True, help_text="Tiers this asset is meant for; empty = all.")
    personas = models.ManyToManyField(Persona, blank=True, related_name="content_assets")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["workspace", "stage", "effort"], name="content_ws_stage_effort")]

    def __str__(self) -> str:
        return self.title

    def sales_can_edit(self, user) -> bool:
        return False
