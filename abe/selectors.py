"""Reads on workspaces, memberships and API keys."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ApiKey, Membership, Workspace, api_key_hash


def membership_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user").order_by("user__username")


def api_key_list(*, workspace: Workspace) -> QuerySet[ApiKey]:
    return ApiKey.objects.for_workspace(workspace).select_related("created_by")


def api_key_by_raw(*, raw: str) -> ApiKey | None:
    return ApiKey.objects.select_related("workspace").filter(key_hash=api_key_hash(raw)).first()
