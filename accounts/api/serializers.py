from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from abe.api.base import FastReadSerializerMixin, WorkspaceRelatedField
from personas.models import Persona

from ..models import (
    ACCOUNT_EDITABLE_FIELDS,
    Account,
    AccountTeamMember,
    Contact,
    Opportunity,
    OpportunityContact,
    Product,
)


class WorkspaceUserField(serializers.PrimaryKeyRelatedField):
    """A user id limited to members of the request's workspace."""

    def get_queryset(self):
        request = self.context.get("request")
        workspace = getattr(request, "workspace", None)
        users = get_user_model().objects
        return users.none() if workspace is None else users.filter(memberships__workspace=workspace)


class AccountSerializer(FastReadSerializerMixin):
    parent = WorkspaceRelatedField(Account, required=False, allow_null=True)  # type: ignore[assignment]  # JSON key
    owner = WorkspaceUserField(required=False, allow_null=True)
    technologies = serializers.ListField(child=serializers.CharField(max_length=100), required=False)

    class Meta:
        model = Account
        fields = [
            "id",
            *ACCOUNT_EDITABLE_FIELDS,
            "fit_score",
            "fit_grade",
            "win_probability",
            "priority",
            "tier",
            "tier_locked",
            "engagement_score",
            "engagement_momentum",
            "journey_stage",
            "created_at",
            "updated_at",
            "fit_explanation",
            "fit_criteria_met",
            "fit_icp_version",
            "win_drivers",
            "trigger_event",
            "trigger_event_date",
        ]
        read_only_fields = [
            "fit_score",
            "fit_grade",
            "win_probability",
            "priority",
            "tier",
            "tier_locked",
            "engagement_score",
            "engagement_momentum",
            "journey_stage",
            "created_at",
            "updated_at",
            "fit_explanation",
            "fit_criteria_met",
            "fit_icp_version",
            "win_drivers",
        ]
        # Uniqueness is checked per workspace by the services, with a field-level message.
        validators: list = []


class ContactSerializer(serializers.ModelSerializer):
    account = WorkspaceRelatedField(Account)
    persona = WorkspaceRelatedField(Persona, required=False, allow_null=True)
    reports_to = WorkspaceRelatedField(Contact, required=False, allow_null=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "account",
            "first_name",
            "last_name",
            "email",
            "title",
            "department",
            "seniority",
            "buying_role",
            "persona",
            "do_not_contact",
            "external_id",
            "engagement_score",
            "last_engaged_at",
            "created_at",
            "updated_at",
            "influence",
            "stance",
            "reports_to",
            "left_at",
        ]
        read_only_fields = ["engagement_score", "last_engaged_at", "created_at", "updated_at"]
        validators: list = []


class AccountTeamMemberSerializer(serializers.ModelSerializer):
    account = WorkspaceRelatedField(Account)
    user = WorkspaceUserField()
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = AccountTeamMember
        fields = ["id", "account", "user", "username", "team_role", "created_at"]
        read_only_fields = ["created_at"]
        validators: list = []


class OpportunitySerializer(serializers.ModelSerializer):
    account = WorkspaceRelatedField(Account)
    product = WorkspaceRelatedField(Product, required=False, allow_null=True)
    product_name = serializers.CharField(source="product.name", read_only=True, allow_null=True)
    margin_amount = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "account",
            "name",
            "amount",
            "stage",
            "type",
            "created_date",
            "close_date",
            "status",
            "external_id",
            "product",
            "product_name",
            "gross_margin",
            "gross_margin_pct",
            "margin_amount",
            "contract_start",
            "contract_end",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []


class OpportunityContactSerializer(serializers.ModelSerializer):
    """A person on a deal: ``role`` is their part in this deal (a buying role, or blank for none)."""

    opportunity = WorkspaceRelatedField(Opportunity)
    contact = WorkspaceRelatedField(Contact)
    contact_name = serializers.CharField(source="contact.full_name", read_only=True)
    account = serializers.IntegerField(source="opportunity.account_id", read_only=True)

    class Meta:
        model = OpportunityContact
        fields = [
            "id",
            "opportunity",
            "account",
            "contact",
            "contact_name",
            "role",
            "is_primary",
            "external_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "family", "list_price", "is_active", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []
