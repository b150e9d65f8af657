"""Serializers of the import-jobs API."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext
from rest_framework import serializers

from ...models import ImportJob, ImportKind


class ImportJobSerializer(serializers.ModelSerializer):
    """``errors``: the first 1,000 problems ``[{line, kind: rejected|warning, reason}]``; every one, with the
    original rows, at ``problems/`` (CSV). ``problems_count``: how many there are in all."""

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "filename",
            "preset",
            "mapping",
            "stage_map",
            "scales",
            "status",
            "total_rows",
            "processed_rows",
            "progress_percent",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "warned",
            "duplicates",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: ImportJob) -> dict[str, Any]:
        data: dict[str, Any] = dict(super().to_representation(instance))
        data["errors"] = [{k: e[k] for k in ("line", "kind", "reason") if k in e} for e in instance.errors[:1000]]
        data["problems_count"] = len(instance.errors)
        return data


def _json_object(value: str, shape: str) -> dict[str, Any] | None:
    if not value:
        return None
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        raise serializers.ValidationError(gettext("Not valid JSON.")) from None
    if not isinstance(parsed, dict) or not all(isinstance(v, str | int | float) for v in parsed.values()):
        raise serializers.ValidationError(gettext("Give an object %(shape)s.") % {"shape": shape})
    return parsed


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
    stage_map = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text='JSON {"stage value": "open|won|lost"}; default: synonyms (Closed Won, Ganado, Ganho...)',
    )
    scales = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text='JSON {"numeric field": factor}, e.g. {"annual_revenue": 1000000} for revenue in millions',
    )
    start = serializers.BooleanField(default=True, help_text="Start at once (false: set the mapping first)")

    def validate_mapping(self, value: str) -> dict[str, Any] | None:
        mapping = _json_object(value, '{"target field": "source column"}')
        if mapping and not all(isinstance(v, str) for v in mapping.values()):
            raise serializers.ValidationError(gettext('Give an object {"target field": "source column"}.'))
        return mapping

    def validate_stage_map(self, value: str) -> dict[str, Any] | None:
        return _json_object(value, '{"stage value": "open|won|lost"}')

    def validate_scales(self, value: str) -> dict[str, Any] | None:
        return _json_object(value, '{"numeric field": factor}')
