"""Reads on workspaces, memberships and API keys."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .cache import version_bump_on_commit, versioned_read
from .models import ApiKey, Invitation, Membership, Workspace, api_key_hash


def membership_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user").order_by("user__username")


def api_key_list(*, workspace: Workspace) -> QuerySet[ApiKey]:
    return ApiKey.objects.for_workspace(workspace).select_related("created_by")


def api_key_by_raw(*, raw: str) -> ApiKey | None:
    return ApiKey.objects.select_related("workspace").filter(key_hash=api_key_hash(raw)).first()


def invitation_list(*, workspace: Workspace) -> QuerySet[Invitation]:
    return Invitation.objects.filter(workspace=workspace).select_related("created_by").order_by("-created_at")


# The owner menus of the accounts list and the tier board list the workspace's members on every request (one
# query, ~0.8 ms with PostgreSQL's). Members change through membership_set, membership_remove and
# invitation_accept, which call ``members_invalidate`` (a versioned read: abe.cache.versioned_read); a name
# changed in Django's admin shows within MEMBERS_TTL.
MEMBERS_TTL = 300


@dataclass(frozen=True)
class MemberName:
    """A member as the owner menus show them: the id, the username and the full name (``get_full_name()``)."""

    pk: int
    username: str
    full_name: str

    def get_full_name(self) -> str:
        return self.full_name


def _members_keys(workspace: Workspace) -> tuple[str, str]:
    base = f"abe:members:{workspace.pk}:{workspace.created_at.timestamp():.6f}"
    return base + ":version", base


def members_invalidate(*, workspace: Workspace) -> None:
    """After the current transaction commits, every cached copy of the workspace's member names is stale."""
    version_bump_on_commit(_members_keys(workspace)[0])


def member_names(*, workspace: Workspace) -> list[MemberName]:
    """The workspace's members by username, as the owner menus list them (cached until a membership changes)."""
    version_key, data_key = _members_keys(workspace)
    names: list[MemberName] = versioned_read(
        version_key,
        data_key,
        lambda: [
            MemberName(u.pk, u.username, u.get_full_name())
            for u in get_user_model().objects.filter(memberships__workspace=workspace).order_by("username")
        ],
        MEMBERS_TTL,
    )
    return names
