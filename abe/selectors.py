"""Reads on workspaces, memberships and API keys."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from .models import ApiKey, Invitation, Membership, Workspace, api_key_hash


def workspace_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Workspace]:
    return Workspace.objects.filter(memberships__user=user).order_by("name")


def membership_for(*, user: AbstractBaseUser, workspace: Workspace) -> Membership | None:
    return Membership.objects.filter(user=user, workspace=workspace).select_related("workspace").first()


def membership_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user").order_by("user__username")


def api_key_list(*, workspace: Workspace) -> QuerySet[ApiKey]:
    return ApiKey.objects.for_workspace(workspace).select_related("created_by")


def api_key_by_raw(*, raw: str) -> ApiKey | None:
    return ApiKey.objects.select_related("workspace").filter(key_hash=api_key_hash(raw)).first()


def invitation_list(*, workspace: Workspace) -> QuerySet[Invitation]:
    return Invitation.objects.filter(workspace=workspace).select_related("created_by").order_by("-created_at")
