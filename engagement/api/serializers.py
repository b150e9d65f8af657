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
