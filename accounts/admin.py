from django.contrib import admin

from .models import (
    Account,
    AccountTeamMember,
    Contact,
    IcpVersion,
    ImportJob,
    Opportunity,
    OpportunityContact,
    PredictiveModel,
    Product,
    TierChange,
    TierProposal,
)
from .prospecting.selectors import board_config_invalidate


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "workspace", "industry", "country", "tier", "lifecycle", "owner"]
    list_filter = ["workspace", "tier", "lifecycle", "industry"]
    search_fields = ["name", "domain", "external_id"]
    raw_id_fields = ["parent", "owner"]
    list_select_related = ["workspace", "owner"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "account", "title", "buying_role", "workspace"]
    list_filter = ["workspace", "buying_role", "seniority"]
    search_fields = ["first_name", "last_name", "email"]
    raw_id_fields = ["account", "persona"]
    list_select_related = ["account", "workspace"]


@admin.register(AccountTeamMember)
class AccountTeamMemberAdmin(admin.ModelAdmin):
    list_display = ["account", "user", "team_role", "workspace"]
    raw_id_fields = ["account", "user"]
    list_select_related = ["account", "user", "workspace"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "type", "status", "amount", "created_date", "close_date"]
    list_filter = ["workspace", "status", "type"]
    search_fields = ["name", "external_id"]
    raw_id_fields = ["account"]
    list_select_related = ["account"]


@admin.register(OpportunityContact)
class OpportunityContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "role", "is_primary", "workspace"]
    list_filter = ["workspace", "role", "is_primary"]
    search_fields = ["external_id", "contact__email", "opportunity__name"]
    raw_id_fields = ["opportunity", "contact"]
    list_select_related = ["opportunity", "contact", "workspace"]


@admin.register(IcpVersion)
class IcpVersionAdmin(admin.ModelAdmin):
    list_display = ["workspace", "number", "name", "is_active", "created_by", "created_at"]
    list_filter = ["workspace", "is_active"]

    # The tier board caches the version in force (accounts.prospecting.selectors.board_config).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        board_config_invalidate(workspace=obj.workspace_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        board_config_invalidate(workspace=obj.workspace_id)

    def delete_queryset(self, request, queryset):
        workspaces = set(queryset.values_list("workspace_id", flat=True))
        super().delete_queryset(request, queryset)
        for workspace in workspaces:
            board_config_invalidate(workspace=workspace)


@admin.register(PredictiveModel)
class PredictiveModelAdmin(admin.ModelAdmin):
    list_display = ["workspace", "number", "algorithm", "is_active", "n_won", "n_lost", "created_at"]
    list_filter = ["workspace", "is_active"]
    exclude = ["blob"]


@admin.register(TierChange)
class TierChangeAdmin(admin.ModelAdmin):
    list_display = ["account", "old_tier", "new_tier", "source", "by", "created_at"]
    list_filter = ["workspace", "source"]
    raw_id_fields = ["account", "by"]
    list_select_related = ["account", "by"]


@admin.register(TierProposal)
class TierProposalAdmin(admin.ModelAdmin):
    list_display = ["account", "current_tier", "proposed_tier", "status", "created_at"]
    list_filter = ["workspace", "status"]
    raw_id_fields = ["account", "decided_by"]
    list_select_related = ["account"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "filename",
        "workspace",
        "kind",
        "status",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "created_at",
    ]
    list_filter = ["workspace", "kind", "status"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "family", "list_price", "is_active", "workspace"]
    list_filter = ["workspace", "family", "is_active"]
    search_fields = ["name", "family"]
