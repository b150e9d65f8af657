"""The content library: assets mapped to persona, buying stage, effort and tier (seed 001, content by stage)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from abe.models import TimeStamped, WorkspaceOwned
from accounts.models import TIER_LABELS
from personas.models import BuyingRole, Channel, Persona


class ContentFormat(models.TextChoices):
    EMAIL = "email", _("Personalised email")
    BLOG = "blog", _("Blog post")
    INFOGRAPHIC = "infographic", _("Infographic")
    VIDEO = "video", _("Short video")
    REPORT = "report", _("Report")
    WEBINAR = "webinar", _("Webinar")
    WORKSHOP = "workshop", _("Workshop")
    BUSINESS_CASE = "business_case", _("Business case (ROI)")
    TRIAL = "trial", _("Trial")
    DIRECT_MAIL = "direct_mail", _("Direct mail")
    CASE_STUDY = "case_study", _("Case study")
    EVENT = "event", _("Event")


class BuyingStage(models.TextChoices):
    PROSPECTING = "prospecting", _("Prospecting")
    ENGAGEMENT = "engagement", _("Engagement")
    ACTIVATION = "activation", _("Activation")
    POST_SALE = "post_sale", _("After the sale")


class Effort(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class ContentAsset(WorkspaceOwned, TimeStamped):
    title = models.CharField(max_length=255, verbose_name=_("title"))
    url = models.URLField(max_length=500, blank=True)
    format = models.CharField(max_length=20, choices=ContentFormat.choices, verbose_name=_("format"))
    stage = models.CharField(
        max_length=20, choices=BuyingStage.choices, default=BuyingStage.PROSPECTING, verbose_name=_("stage")
    )
    effort = models.CharField(max_length=10, choices=Effort.choices, default=Effort.LOW, verbose_name=_("effort"))
    tiers = models.JSONField(default=list, blank=True, help_text=_("Tiers this asset is meant for; empty = all."))
    personas = models.ManyToManyField(Persona, blank=True, related_name="content_assets", verbose_name=_("personas"))
    description = models.TextField(blank=True, verbose_name=_("description"))

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["workspace", "stage", "effort"], name="content_ws_stage_effort")]

    def __str__(self) -> str:
        return self.title

    @property
    def tier_labels(self) -> list[tuple[str, str]]:
        """The asset's tiers with their labels in the reader's language (the list showed the stored keys)."""
        return [(t, TIER_LABELS.get(t, t)) for t in self.tiers or []]

    def sales_can_edit(self, user) -> bool:
        return False


DEFAULT_EFFORT_BY_TIER: dict[str, str] = {"strategic": "high", "priority": "medium", "standard": "low"}
# Journey stage (engagement's default keys) -> the content stage that serves it.
DEFAULT_STAGE_MAP: dict[str, str] = {
    "unaware": BuyingStage.PROSPECTING,
    "aware": BuyingStage.PROSPECTING,
    "engaged": BuyingStage.ENGAGEMENT,
    "mqa": BuyingStage.ACTIVATION,
    "opportunity": BuyingStage.ACTIVATION,
    "customer": BuyingStage.POST_SALE,
}
EFFORT_RANK: dict[str, int] = {Effort.LOW: 0, Effort.MEDIUM: 1, Effort.HIGH: 2}


class ContentSettings(WorkspaceOwned):
    """How content is chosen for an account: the effort each tier allows and journey stage -> content stage."""

    effort_by_tier = models.JSONField(default=dict, blank=True, help_text=_("Tier -> highest effort allowed."))
    stage_map = models.JSONField(default=dict, blank=True, help_text=_("Journey stage key -> content stage."))
    movement_days = models.PositiveIntegerField(
        default=30, help_text=_("An account reached by an asset 'moved' when its stage advances within this many days.")
    )
    prior_weight = models.FloatField(
        default=5.0, help_text=_("How many accounts' worth of the workspace average a new asset starts with.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="content_settings_one")]
        verbose_name_plural = "content settings"

    def allowed_effort(self, tier: str) -> str:
        return {**DEFAULT_EFFORT_BY_TIER, **(self.effort_by_tier or {})}.get(tier, Effort.LOW)

    def content_stage(self, journey_stage: str) -> str:
        return {**DEFAULT_STAGE_MAP, **(self.stage_map or {})}.get(journey_stage, BuyingStage.PROSPECTING)


class AssetPerformance(WorkspaceOwned):
    """What an asset achieved, per persona (0 = every persona) and journey stage ("" = every stage).

    A rollup written by the engagement app's refresh task from the events that reference the asset; pages and
    the ranking read it and never the event table.
    """

    asset = models.ForeignKey(ContentAsset, on_delete=models.CASCADE, related_name="performance")
    persona_key = models.BigIntegerField(default=0)
    stage = models.CharField(max_length=40, blank=True)
    accounts_reached = models.PositiveIntegerField(default=0)
    contacts_reached = models.PositiveIntegerField(default=0)
    engagements = models.PositiveIntegerField(default=0)
    accounts_moved = models.PositiveIntegerField(default=0)
    pipeline_influenced = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "asset", "persona_key", "stage"], name="asset_performance_key")
        ]

    @property
    def moved_share(self) -> float | None:
        return self.accounts_moved / self.accounts_reached if self.accounts_reached else None


class OutreachTemplate(WorkspaceOwned, TimeStamped):
    """A subject and body with logic-free merge fields, e.g. ``{{ contact.first_name }}`` (see content.merge)."""

    name = models.CharField(max_length=120)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="outreach_template_unique_name")]

    def __str__(self) -> str:
        return self.name

    def sales_can_edit(self, user) -> bool:
        return False


class CustomerResult(WorkspaceOwned, TimeStamped):
    """The result a won customer achieved, written by the team; quoted as ``{{ similar.result }}``."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    result = models.CharField(max_length=300)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "account"], name="customer_result_one")]

    def sales_can_edit(self, user) -> bool:
        return self.account.sales_can_edit(user)


class Play(WorkspaceOwned, TimeStamped):
    """A multi-touch sequence of steps; enrolled accounts get one task per step on its due date."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    exit_stage = models.CharField(
        max_length=40, blank=True, help_text=_("Journey stage key at which an account leaves the play.")
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="play_unique_name")]

    def __str__(self) -> str:
        return self.name

    def sales_can_edit(self, user) -> bool:
        return False


class PlayStep(WorkspaceOwned):
    play = models.ForeignKey(Play, on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(max_length=200)
    day_offset = models.PositiveIntegerField(default=0)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    target_role = models.CharField(max_length=30, choices=BuyingRole.choices, blank=True)
    target_persona = models.ForeignKey(Persona, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    asset = models.ForeignKey(ContentAsset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    template = models.ForeignKey(OutreachTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # A team role of the account (accounts.TeamRole value) or "owner"; falls back to the account owner.
    owner_role = models.CharField(max_length=30, default="owner")

    class Meta:
        ordering = ["day_offset", "id"]

    def __str__(self) -> str:
        return f"Day {self.day_offset}: {self.title}"


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXITED = "exited", _("Left the play")
    COMPLETED = "completed", _("Completed")


class PlayEnrolment(WorkspaceOwned):
    play = models.ForeignKey(Play, on_delete=models.CASCADE, related_name="enrolments")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    enrolled_on = models.DateField()
    stage_at_enrolment = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE)
    ended_on = models.DateField(null=True, blank=True)
    exit_reason = models.CharField(max_length=200, blank=True)
    # The exit reason as a message key and parameters (abe.texts) when the portal wrote it, so pages read it in
    # each reader's language; ``exit_reason`` keeps the English (the API's words) or what a person typed.
    texts = models.JSONField(default=dict, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-enrolled_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "play", "account"], condition=Q(status="active"), name="play_enrolment_one_active"
            )
        ]
        indexes = [models.Index(fields=["workspace", "status"], name="play_enrolment_ws_status")]

    @property
    def exit_reason_text(self) -> str:
        from abe.texts import render

        return render((self.texts or {}).get("exit_reason"), self.exit_reason)


class PlayStepRun(WorkspaceOwned):
    """One step of one enrolment turned into a task: the unique key makes the scheduler safe to repeat."""

    enrolment = models.ForeignKey(PlayEnrolment, on_delete=models.CASCADE, related_name="runs")
    step = models.ForeignKey(PlayStep, on_delete=models.CASCADE, related_name="runs")
    task = models.ForeignKey("work.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateField()
    touch_logged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "enrolment", "step"], name="play_step_run_once")]
