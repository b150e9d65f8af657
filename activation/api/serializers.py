"""API shapes for rules, alerts and webhook subscriptions. Validation of meaning lives in the services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import WorkspaceUserField
from accounts.models import Lifecycle, TeamRole, Tier

from ..models import Alert, AlertAction, AlertTransition, Rule, WebhookAttempt, WebhookDelivery, WebhookSubscription


@extend_schema_field({"type": "object", "additionalProperties": True})
class RuleParamsField(serializers.JSONField):
    """The condition's settings: a JSON object (a list or null was a 500 deep in the rule checks)."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Give the condition's settings as an object."))
        return super().to_internal_value(data)


class RuleSerializer(serializers.ModelSerializer):
    params = RuleParamsField(
        required=False,
        help_text=(
            "Settings of the condition. score_threshold: subject (account|contact), threshold; spike: ratio, "
            "min_score; committee_breadth: members, days; role_engaged: buying_role, event_type, days; "
            "stage_entered: stage, days; trigger_event: kinds, days; engagement_drop: percent, days, min_events; "
            "missing_role: buying_role, days; deal_missing_role: buying_role, days; key_contact_quiet: days; "
            "renewal_risk: days, percent; "
            "missed_check_ins: missed, days; health_drop: points, days."
        ),
    )
    filter_tiers = serializers.ListField(child=serializers.ChoiceField(choices=Tier.choices), required=False)
    filter_lifecycles = serializers.ListField(child=serializers.ChoiceField(choices=Lifecycle.choices), required=False)
    notify_team_roles = serializers.ListField(child=serializers.ChoiceField(choices=TeamRole.choices), required=False)
    filter_owner = WorkspaceUserField(required=False, allow_null=True)
    fired_count = serializers.IntegerField(read_only=True)
    suppressed_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Rule
        fields = [
            "id",
            "name",
            "description",
            "condition_type",
            "params",
            "filter_tiers",
            "filter_lifecycles",
            "filter_owner",
            "severity",
            "cooldown_hours",
            "recommended_action",
            "notify_owner",
            "notify_team_roles",
            "is_active",
            "fired_count",
            "suppressed_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []


class RuleForecastSerializer(serializers.Serializer):
    accounts = serializers.IntegerField(help_text="Accounts on which the rule would fire now.")
    alerts = serializers.IntegerField(help_text="Alerts it would fire on them (cool-downs not applied).")


class AlertContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")
    email = serializers.EmailField()
    buying_role = serializers.CharField()


class AlertTransitionSerializer(serializers.ModelSerializer):
    # Null where nobody did it (a rule fired it, a snooze ran out) or the user was deleted since.
    by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Who made the change (null: the system)."
    )
    assignee: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="For an `assign`: the new assignee (null: unassigned).",
    )

    class Meta:
        model = AlertTransition
        fields = ["action", "from_status", "to_status", "by", "assignee", "note", "at"]


class AlertSerializer(serializers.ModelSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True, allow_null=True)
    account_name = serializers.CharField(source="account.name", read_only=True, allow_null=True)
    contacts = AlertContactSerializer(many=True, read_only=True)
    assignee: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    unread = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "rule",
            "rule_name",
            "account",
            "account_name",
            "contacts",
            "severity",
            "title",
            "message",
            "recommended_action",
            "facts",
            "status",
            "assignee",
            "snoozed_until",
            "unread",
            "created_at",
            "acknowledged_at",
            "snoozed_at",
            "resolved_at",
            "dismissed_at",
        ]
        read_only_fields = fields


class AlertDetailSerializer(AlertSerializer):
    transitions = AlertTransitionSerializer(many=True, read_only=True)

    class Meta(AlertSerializer.Meta):
        fields = AlertSerializer.Meta.fields + ["transitions"]
        read_only_fields = fields


class AlertTransitionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=[c for c in AlertAction.choices if c[0] not in ("wake", "assign")])
    until = serializers.DateTimeField(required=False, help_text="For snooze: until when.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


@extend_schema_field(OpenApiTypes.INT)
class _AssigneeField(WorkspaceUserField):
    """A member's user id (null to unassign)."""


class AlertAssignInput(serializers.Serializer):
    assignee = _AssigneeField(allow_null=True)


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    secret = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        write_only=True,
        help_text="Signing secret; leave empty to generate one. Returned once, in the creation answer "
        "(``secret``); afterwards only ``secret_masked``. Setting a new one rotates it (the old one keeps signing "
        "for 24 hours).",
    )
    secret_masked = serializers.CharField(read_only=True)
    delivered_count = serializers.IntegerField(read_only=True)
    failed_count = serializers.IntegerField(read_only=True)
    pending_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "name",
            "url",
            "secret",
            "secret_masked",
            "format",
            "min_severity",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "delivered_count",
            "failed_count",
            "pending_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["consecutive_failures", "disabled_at", "disabled_reason", "created_at", "updated_at"]


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    """The creation (or rotation) answer: the one time the full secret is shown."""

    secret = serializers.CharField(read_only=True, help_text="The signing secret; store it now, it is not shown again.")


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["attempted_at", "status_code", "error", "duration_ms"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "alert",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "sent_at",
            "created_at",
            "attempt_log",
        ]
        read_only_fields = fields
