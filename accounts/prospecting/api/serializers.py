"""Serializers of the prospecting API: ICP versions, settings, models, pins, tier history and proposals."""

from __future__ import annotations

from rest_framework import serializers

from ...models import IcpVersion, PredictiveModel, ProspectingSettings, Tier, TierChange, TierProposal


class IcpVersionSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True)

    class Meta:
        model = IcpVersion
        fields = [
            "id",
            "number",
            "name",
            "criteria",
            "grade_thresholds",
            "note",
            "is_active",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["number", "is_active", "created_by", "created_at"]


class IcpInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, default="Ideal Customer Profile")
    criteria = serializers.JSONField()
    grade_thresholds = serializers.JSONField(required=False, allow_null=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    normalise = serializers.BooleanField(
        default=False,
        help_text="Weights must add up to 100; true rescales them to 100 instead of refusing them (the answer "
        "shows the resulting weights).",
    )


class ProspectingSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProspectingSettings
        fields = [
            "fit_weight",
            "predictive_weight",
            "strategic_capacity",
            "priority_capacity",
            "last_rescored_at",
            "last_rescore_summary",
        ]
        read_only_fields = ["last_rescored_at", "last_rescore_summary"]


class PredictiveModelSerializer(serializers.ModelSerializer):
    trained_by = serializers.CharField(source="trained_by.username", read_only=True, allow_null=True)

    class Meta:
        model = PredictiveModel
        fields = [
            "id",
            "number",
            "algorithm",
            "metrics",
            "n_train",
            "n_test",
            "n_won",
            "n_lost",
            "is_active",
            "beats_baselines",
            "verdict",
            "trained_by",
            "created_at",
            "activated_at",
            "features",
        ]
        read_only_fields = fields


class TierPinInput(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    reason = serializers.CharField(max_length=500)


class TierChangeSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True, allow_null=True)

    class Meta:
        model = TierChange
        fields = ["id", "account", "old_tier", "new_tier", "source", "reason", "by", "created_at"]
        read_only_fields = fields


class TierProposalSerializer(serializers.ModelSerializer):
    account_name = serializers.CharField(source="account.name", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True)

    class Meta:
        model = TierProposal
        fields = [
            "id",
            "account",
            "account_name",
            "current_tier",
            "proposed_tier",
            "priority",
            "reason",
            "status",
            "created_at",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields
