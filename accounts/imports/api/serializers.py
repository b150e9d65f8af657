"""Serializers of the import-jobs API."""

from __future__ import annotations

import json

from rest_framework import serializers

from ...models import ImportJob, ImportKind


class ImportJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "filename",
            "preset",
            "mapping",
            "status",
            "total_rows",
            "processed_rows",
            "progress_percent",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "errors",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportJobInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    file = serializers.FileField()
    preset = serializers.CharField(required=False, allow_blank=True, default="")
    mapping = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text='JSON {"target field": "source column"}; default: preset',
    )
    start = serializers.BooleanField(default=True, help_text="Start at once (false: set the mapping first)")

    def validate_mapping(self, value: str) -> dict | None:
        if not value:
            return None
        try:
            mapping = json.loads(value)
        except json.JSONDecodeError:
            raise serializers.ValidationError("Not valid JSON.") from None
        if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
            raise serializers.ValidationError('Give an object {"target field": "source column"}.')
        return mapping
