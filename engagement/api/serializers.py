"""Shapes of the ingest API for the OpenAPI schema.

Rows are validated by ``engagement.services.ingest.event_clean`` (one fast pass over up to 5,000 rows, the same
rules for the API, the CSV upload and the management command); these serializers describe that contract.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import SCORED_EVENT_CHOICES, Channel, EventImport


class EventInput(serializers.Serializer):
    source = serializers.CharField(  # type: ignore[assignment]  # the JSON key is "source"
        max_length=64, help_text="The system that saw the event, e.g. “hubspot”."
    )
    external_id = serializers.CharField(max_length=128, help_text="Unique per source, for all time (idempotency).")
    type = serializers.ChoiceField(choices=SCORED_EVENT_CHOICES)
    occurred_at = serializers.DateTimeField(help_text="ISO 8601; without an offset it is taken as UTC.")
    account_id = serializers.IntegerField(required=False)
    account_domain = serializers.CharField(required=False)
    contact_email = serializers.EmailField(required=False)
    contact_external_id = serializers.CharField(required=False, max_length=64)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    content_asset_id = serializers.IntegerField(required=False)
    content_asset_url = serializers.CharField(
        required=False, max_length=500, help_text="Or the asset by its URL (as saved in the content library)."
    )
    metadata = serializers.DictField(required=False, help_text="Trigger events need metadata.kind.")


class EventBatchInput(serializers.Serializer):
    events = serializers.ListField(
        child=serializers.JSONField(),
        max_length=5000,
        help_text=(
            "Up to 5,000 events, each shaped as the body of `POST /events/` (EventInput). Each row is checked on "
            "its own: a row that breaks a rule (a missing `type`, a wrong type of value, not an object at all) "
            "comes back in `rejected` with its index and the reason, and the other rows are kept, so the request "
            "itself only needs a list."
        ),
    )


class RejectedRow(serializers.Serializer):
    index = serializers.IntegerField()
    errors = serializers.DictField(  # type: ignore[assignment]  # the JSON key is "errors"
        child=serializers.ListField(child=serializers.CharField())
    )


class IngestOutput(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = RejectedRow(many=True)


class EventImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV file: a header line with the ingest API's field names.")


class RejectedLine(serializers.Serializer):
    line = serializers.IntegerField(help_text="The line of the file (the header is line 1).")
    errors = serializers.DictField(  # type: ignore[assignment]  # the JSON key is "errors"
        child=serializers.ListField(child=serializers.CharField())
    )


class EventImportSerializer(serializers.ModelSerializer):
    """An events CSV upload run by a worker: status, progress and exactly what was saved.

    ``processed_rows`` data lines are done (each counted once in ``accepted``, ``duplicates`` or
    ``rejected_count``); the lines after them were not read yet. ``rejected``: the first 1,000 rejected lines.
    ``message``: why it failed, if it did, with what was saved before.
    """

    rejected = serializers.SerializerMethodField()

    class Meta:
        model = EventImport
        fields = [
            "id",
            "filename",
            "status",
            "total_rows",
            "processed_rows",
            "progress_percent",
            "accepted",
            "duplicates",
            "rejected_count",
            "rejected",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(RejectedLine(many=True))
    def get_rejected(self, instance: EventImport) -> list[dict[str, Any]]:
        return [{"line": line, "errors": errors} for line, errors in instance.rejected]


_CONFIG_HELP = {
    "weights": 'Points per event type (0-1000), e.g. {"meeting": 12}; omitted types keep their value.',
    "half_lives": "Half-life in days per event type (0.25-3650).",
    "daily_caps": "Events counted per contact, type and day (1-10000).",
    "role_multipliers": "Multiplier per buying role (0-10).",
    "seniority_multipliers": "Multiplier per seniority (0-10).",
    "stages": "Journey stages, top stage first: objects with key, name, opportunity (won, open or empty), "
    "min_score and min_breadth; the last stage has no condition.",
}


class EngagementConfigSerializer(serializers.Serializer):
    """The engagement scoring configuration as it applies (defaults filled in), as the settings page shows it."""

    weights = serializers.DictField(child=serializers.FloatField(), help_text=_CONFIG_HELP["weights"])
    half_lives = serializers.DictField(child=serializers.FloatField(), help_text=_CONFIG_HELP["half_lives"])
    daily_caps = serializers.DictField(child=serializers.IntegerField(), help_text=_CONFIG_HELP["daily_caps"])
    role_multipliers = serializers.DictField(child=serializers.FloatField())
    seniority_multipliers = serializers.DictField(child=serializers.FloatField())
    breadth_bonus_per_role = serializers.FloatField()
    stages = serializers.ListField(child=serializers.DictField(), help_text=_CONFIG_HELP["stages"])
    create_unknown_contacts = serializers.BooleanField()
    version = serializers.IntegerField(help_text="Grows with every change to the maths.")
    updated_at = serializers.DateTimeField()


class EngagementConfigInput(serializers.Serializer):
    """Any of the settings (omitted ones keep their value); validated exactly as the settings page validates."""

    weights = serializers.JSONField(required=False, help_text=_CONFIG_HELP["weights"])
    half_lives = serializers.JSONField(required=False, help_text=_CONFIG_HELP["half_lives"])
    daily_caps = serializers.JSONField(required=False, help_text=_CONFIG_HELP["daily_caps"])
    role_multipliers = serializers.JSONField(required=False, help_text=_CONFIG_HELP["role_multipliers"])
    seniority_multipliers = serializers.JSONField(required=False, help_text=_CONFIG_HELP["seniority_multipliers"])
    breadth_bonus_per_role = serializers.JSONField(required=False, help_text="Score bonus per buying role (0-5).")
    stages = serializers.JSONField(required=False, help_text=_CONFIG_HELP["stages"])
    create_unknown_contacts = serializers.BooleanField(required=False)
    per_account_alerts = serializers.BooleanField(
        default=False,
        help_text="The recompute records the stage changes; by default the alerts they would set off are held back "
        "and one summary notice goes to the admins and owners. True sends each alert to its account team instead.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = set(self.initial_data) - set(self.fields) if isinstance(self.initial_data, dict) else set()
        if unknown:
            raise serializers.ValidationError({name: "Unknown setting." for name in sorted(unknown)})
        return attrs


class EngagementConfigSaved(EngagementConfigSerializer):
    recompute_job = serializers.IntegerField(
        allow_null=True, help_text="The job rescoring every account (null when nothing in the maths changed)."
    )
    per_account_alerts = serializers.BooleanField()


class StagePreviewSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    now = serializers.IntegerField(help_text="Accounts in the stage now.")
    after = serializers.IntegerField(help_text="Accounts in the stage with these settings.")
    entering = serializers.IntegerField()
    leaving = serializers.IntegerField()


class EngagementConfigPreviewSerializer(serializers.Serializer):
    moved = serializers.IntegerField(help_text="Accounts that would change journey stage.")
    alerts = serializers.IntegerField(
        help_text="Alerts the rules would fire after the recompute (cool-downs and alerts already sent applied): "
        "sent to the account teams with per_account_alerts, otherwise held back behind one summary notice."
    )
    per_account_alerts = serializers.BooleanField()
    stages = StagePreviewSerializer(many=True)
