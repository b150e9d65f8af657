"""Shapes of the ingest API for the OpenAPI schema.

Rows are validated by ``engagement.services.ingest.event_clean`` (one fast pass over up to 5,000 rows, the same
rules for the API, the CSV upload and the management command); these serializers describe that contract.
"""

from __future__ import annotations

from rest_framework import serializers

from ..models import Channel, EventType


class EventInput(serializers.Serializer):
    source = serializers.CharField(  # type: ignore[assignment]  # the JSON key is "source"
        max_length=64, help_text="The system that saw the event, e.g. “hubspot”."
    )
    external_id = serializers.CharField(max_length=128, help_text="Unique per source, for all time (idempotency).")
    type = serializers.ChoiceField(choices=EventType.choices)
    occurred_at = serializers.DateTimeField(help_text="ISO 8601; without an offset it is taken as UTC.")
    account_id = serializers.IntegerField(required=False)
    account_domain = serializers.CharField(required=False)
    contact_email = serializers.EmailField(required=False)
    contact_external_id = serializers.CharField(required=False, max_length=64)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    content_asset_id = serializers.IntegerField(required=False)
    metadata = serializers.DictField(required=False, help_text="Trigger events need metadata.kind.")


class EventBatchInput(serializers.Serializer):
    events = EventInput(many=True, help_text="Up to 5,000 events.")


class RejectedRow(serializers.Serializer):
    index = serializers.IntegerField()
    errors = serializers.DictField(  # type: ignore[assignment]  # the JSON key is "errors"
        child=serializers.ListField(child=serializers.CharField())
    )


class IngestOutput(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = RejectedRow(many=True)
