"""Django admin for engagement: events are append-only (read-only here); configuration and history browsable."""

from __future__ import annotations

from django.contrib import admin

from .models import AccountScoreSnapshot, EngagementConfig, EngagementEvent, JourneyStageChange


@admin.register(EngagementEvent)
class EngagementEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "type", "account", "contact", "source", "external_id", "workspace"]
    list_filter = ["type", "channel", "workspace"]
    search_fields = ["external_id", "source"]
    raw_id_fields = ["account", "contact", "content_asset"]
    date_hierarchy = "occurred_at"
    list_select_related = ["account", "contact", "workspace"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None) -> bool:  # append-only
        return False

    def has_add_permission(self, request) -> bool:  # events come through the ingest service
        return False


@admin.register(EngagementConfig)
class EngagementConfigAdmin(admin.ModelAdmin):
    list_display = ["workspace", "version", "updated_at", "updated_by"]
    readonly_fields = ["version", "updated_at", "updated_by"]

    def has_change_permission(self, request, obj=None) -> bool:  # changes go through the settings page
        return False


@admin.register(JourneyStageChange)
class JourneyStageChangeAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "account", "from_stage", "to_stage", "workspace"]
    list_filter = ["to_stage", "workspace"]
    raw_id_fields = ["account"]
    list_select_related = ["account", "workspace"]


@admin.register(AccountScoreSnapshot)
class AccountScoreSnapshotAdmin(admin.ModelAdmin):
    list_display = ["day", "account", "score", "momentum", "stage"]
    raw_id_fields = ["account"]
    list_select_related = ["account"]
