"""Writes on workspaces, memberships and API keys."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import ApiKey, ApiScope, Membership, Role, Workspace, api_key_hash


@transaction.atomic
def workspace_create(*, name: str, slug: str | None = None, owner: User | None = None) -> Workspace:
    """A new workspace; ``owner`` becomes its admin. The slug defaults to the name's (``Acme EU`` -> ``acme-eu``)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the workspace a name."})
    if len(name) > 200:
        raise ValidationError({"name": "Names up to 200 characters."})
    given = (slug or "").strip()
    slug = given or slugify(name)[:60]
    if not slug:
        raise ValidationError({"name": "Give the workspace a name with letters or digits."})
    if given and (slugify(given) != given or len(given) > 60):
        raise ValidationError({"slug": "Use lower-case letters, digits and hyphens (up to 60), e.g. acme-eu."})
    if Workspace.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"A workspace with slug “{slug}” already exists."})
    workspace = Workspace.objects.create(name=name, slug=slug)
    if owner is not None:
        Membership.objects.create(user=owner, workspace=workspace, role=Role.ADMIN)
    return workspace


@transaction.atomic
def membership_set(*, workspace: Workspace, user: User, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"Choose one of: {', '.join(Role.values)}."})
    membership, _ = Membership.objects.update_or_create(workspace=workspace, user=user, defaults={"role": role})
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    remaining_admins = Membership.objects.filter(workspace=membership.workspace, role=Role.ADMIN).exclude(
        pk=membership.pk
    )
    if membership.role == Role.ADMIN and not remaining_admins.exists():
        raise ValidationError("A workspace keeps at least one admin.")
    membership.delete()


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    cleaned = sorted({s.strip() for s in scopes if s and s.strip()})
    unknown = [s for s in cleaned if s not in ApiScope.values]
    if unknown:
        raise ValidationError({"scopes": f"Unknown scope(s): {', '.join(unknown)}. Use: {', '.join(ApiScope.values)}."})
    if not cleaned:
        raise ValidationError({"scopes": "Give the key at least one scope."})
    return cleaned


@transaction.atomic
def api_key_create(
    *, workspace: Workspace, name: str, scopes: Iterable[str], created_by: User | None = None
) -> tuple[ApiKey, str]:
    """Make a key; the raw key is returned once and only its hash is stored."""
    if not name.strip():
        raise ValidationError({"name": "Name the key after what uses it (e.g. “Salesforce sync”)."})
    raw = ApiKey.generate_raw()
    key = ApiKey.objects.create(
        workspace=workspace,
        name=name.strip(),
        prefix=raw[:10],
        key_hash=api_key_hash(raw),
        scopes=_clean_scopes(scopes),
        created_by=created_by,
    )
    return key, raw


@transaction.atomic
def api_key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key
