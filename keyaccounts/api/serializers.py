from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from abe.api.base import WorkspaceRelatedField
from accounts.api.serializers import WorkspaceUserField
from accounts.models import Account, Contact, Opportunity, Tier

from ..models import (
    AccountPlan,
    AccountPlanChange,
    BantCriterion,
    BantItem,
    BantStatus,
    NewsFeed,
    NewsMatch,
    PlanObjective,
    PlanReview,
    PlanRisk,
    RecurringActivity,
)


class AccountPlanSerializer(serializers.ModelSerializer):
    account = WorkspaceRelatedField(Account)
    owner = WorkspaceUserField(required=False, allow_null=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    review_overdue = serializers.SerializerMethodField()

    class Meta:
        model = AccountPlan
        fields = [
            "id",
            "account",
            "account_name",
            "status",
            "goals",
            "plans",
            "challenges",
            "stakes",
            "timeline",
            "owner",
            "last_reviewed_at",
            "next_review_due",
            "review_overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "last_reviewed_at", "next_review_due", "created_at", "updated_at"]

    def get_review_overdue(self, plan: AccountPlan) -> bool:
        from django.utils import timezone

        return bool(plan.next_review_due and plan.next_review_due < timezone.localdate())


class PlanReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanReview
        fields = ["id", "plan", "note", "reviewed_by", "reviewed_at"]
        read_only_fields = ["plan", "reviewed_by", "reviewed_at"]


class PlanChangeSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True, allow_null=True)

    class Meta:
        model = AccountPlanChange
        fields = ["id", "field", "old", "new", "by", "at"]


@extend_schema_field(OpenApiTypes.INT)
class UserIdField(WorkspaceUserField):
    """A workspace member's user id (typed for the schema where there is no model to read it from)."""


class PlanActionInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    assignee = UserIdField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    contact = WorkspaceRelatedField(Contact, required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class PlanObjectiveSerializer(serializers.ModelSerializer):
    plan = WorkspaceRelatedField(AccountPlan)
    progress = serializers.FloatField(read_only=True)

    class Meta:
        model = PlanObjective
        fields = ["id", "plan", "title", "metric", "baseline", "target", "current", "progress", "due_date"]


class PlanRiskSerializer(serializers.ModelSerializer):
    plan = WorkspaceRelatedField(AccountPlan)

    class Meta:
        model = PlanRisk
        fields = ["id", "plan", "title", "likelihood", "impact", "mitigation", "status", "created_at"]
        read_only_fields = ["created_at"]


class BantItemSerializer(serializers.ModelSerializer):
    opportunity = WorkspaceRelatedField(Opportunity)
    contact = WorkspaceRelatedField(Contact, required=False, allow_null=True)
    criterion = serializers.ChoiceField(choices=BantCriterion.choices)
    status = serializers.ChoiceField(choices=BantStatus.choices)

    class Meta:
        model = BantItem
        fields = [
            "id",
            "opportunity",
            "criterion",
            "status",
            "evidence",
            "contact",
            "checked_on",
            "checked_by",
            "updated_at",
        ]
        read_only_fields = ["checked_by", "updated_at"]
        validators: list = []


class QualifiedOpportunitySerializer(serializers.ModelSerializer):
    account_name = serializers.CharField(source="account.name", read_only=True)
    bant_confirmed = serializers.IntegerField(read_only=True)
    bant_not_met = serializers.IntegerField(read_only=True)
    qualification = serializers.SerializerMethodField()

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "account",
            "account_name",
            "name",
            "amount",
            "stage",
            "type",
            "status",
            "close_date",
            "bant_confirmed",
            "bant_not_met",
            "qualification",
        ]

    def get_qualification(self, opportunity: Opportunity) -> str:
        from ..selectors import qualification_label

        return qualification_label(getattr(opportunity, "bant_confirmed", 0), getattr(opportunity, "bant_not_met", 0))


class ProposeKeyAccountInput(serializers.Serializer):
    account = WorkspaceRelatedField(Account)
    reason = serializers.CharField(max_length=500)
    proposed_tier = serializers.ChoiceField(choices=Tier.choices, default=Tier.STRATEGIC)


class RecurringActivitySerializer(serializers.ModelSerializer):
    account = WorkspaceRelatedField(Account)
    assignee = WorkspaceUserField(required=False, allow_null=True)

    class Meta:
        model = RecurringActivity
        fields = ["id", "account", "kind", "title", "every_days", "next_due", "assignee", "is_active"]


class NewsFeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = NewsFeed
        fields = [
            "id",
            "url",
            "name",
            "is_active",
            "last_fetched_at",
            "last_status",
            "last_error",
            "consecutive_failures",
            "created_at",
        ]
        read_only_fields = ["last_fetched_at", "last_status", "last_error", "consecutive_failures", "created_at"]
        validators: list = []


class NewsMatchSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="entry.title")
    link = serializers.CharField(source="entry.link")
    published_at = serializers.DateTimeField(source="entry.published_at")
    feed = serializers.CharField(source="entry.feed.url")

    class Meta:
        model = NewsMatch
        fields = ["id", "account", "term", "title", "link", "published_at", "feed", "created_at"]
