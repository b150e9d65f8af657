"""Engagement events (append-only) and journey-stage history.

An event is idempotent on ``(workspace, source, external_id)`` for all time: replaying a batch adds nothing.
Scores derived from events live on ``Account`` / ``Contact`` (kept current by the scoring workers), so that
pages never aggregate this table.
"""

from __future__ import annotations

from django.db import models

from abe.models import WorkspaceOwned
from accounts.models import Account, Contact
from content.models import ContentAsset


class EventType(models.TextChoices):
    EMAIL_OPEN = "email_open", "Email open"
    EMAIL_CLICK = "email_click", "Email click"
    WEB_VISIT = "web_visit", "Web visit"
    PRICING_PAGE_VISIT = "pricing_page_visit", "Pricing page visit"
    CONTENT_DOWNLOAD = "content_download", "Content download"
    WEBINAR_REGISTRATION = "webinar_registration", "Webinar registration"
    WEBINAR_ATTENDANCE = "webinar_attendance", "Webinar attendance"
    EVENT_ATTENDANCE = "event_attendance", "Event attendance"
    MEETING = "meeting", "Meeting"
    REPLY = "reply", "Reply"
    FORM_SUBMISSION = "form_submission", "Form submission"
    INTENT_SIGNAL = "intent_signal", "Intent signal"
    TRIGGER_EVENT = "trigger_event", "Trigger event"


class TriggerKind(models.TextChoices):
    """``metadata["kind"]`` of a trigger event (seed 003: alerts on changes and key events)."""

    FUNDING = "funding", "Funding round"
    EXECUTIVE_HIRE = "executive_hire", "Executive hire"
    EXECUTIVE_CHANGE = "executive_change", "Executive change"
    PRODUCT_LAUNCH = "product_launch", "Product launch"
    ACQUISITION = "acquisition", "Acquisition"
    EXPANSION = "expansion", "Expansion"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    WEB = "web", "Web"
    EVENT = "event", "Event"
    WEBINAR = "webinar", "Webinar"
    PHONE = "phone", "Phone"
    SOCIAL = "social", "Social"
    ADVERTISING = "advertising", "Advertising"
    THIRD_PARTY = "third_party", "Third-party data"
    DIRECT_MAIL = "direct_mail", "Direct mail"
    OTHER = "other", "Other"


class EngagementEvent(WorkspaceOwned):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="engagement_events")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="engagement_events"
    )
    type = models.CharField(max_length=32, choices=EventType.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    content_asset = models.ForeignKey(
        ContentAsset, null=True, blank=True, on_delete=models.SET_NULL, related_name="engagement_events"
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
        indexes = [
            models.Index(fields=["account", "occurred_at"], name="event_account_time"),
            models.Index(fields=["contact", "occurred_at"], name="event_contact_time"),
            models.Index(fields=["workspace", "occurred_at"], name="event_ws_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} on {self.account_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


class JourneyStageChange(WorkspaceOwned):
    """One row per change of an account's journey stage, so velocity between stages can be measured."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=40, blank=True)
    to_stage = models.CharField(max_length=40)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at"]
        indexes = [models.Index(fields=["workspace", "to_stage", "changed_at"], name="stage_change_ws_stage")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.from_stage or '—'} → {self.to_stage}"
