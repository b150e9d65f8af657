"""Writes on the content library (marketing and admins own it)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from abe.models import Workspace

from ..models import ContentAsset

TIERS = {"strategic", "priority", "standard"}


def _clean(asset: ContentAsset, personas: list[Any] | None) -> None:
    asset.title = (asset.title or "").strip()
    errors: dict[str, str] = {}
    if not asset.title:
        errors["title"] = gettext("A content asset needs a title.")
    unknown = [t for t in asset.tiers or [] if t not in TIERS]
    if unknown:
        errors["tiers"] = gettext("Unknown tier(s): %(tiers)s.") % {"tiers": ", ".join(map(str, unknown))}
    if personas and any(p.workspace_id != asset.workspace_id for p in personas):
        errors["personas"] = gettext("Not found in this workspace.")
    if errors:
        raise ValidationError(errors)
    asset.full_clean(exclude=["workspace"], validate_unique=False, validate_constraints=False)


@transaction.atomic
def content_asset_create(
    *, workspace: Workspace, by: User | None = None, personas: list[Any] | None = None, **data: Any
) -> ContentAsset:
    asset = ContentAsset(workspace=workspace, **data)
    _clean(asset, personas)
    asset.save()
    if personas is not None:
        asset.personas.set(personas)
    return asset


@transaction.atomic
def content_asset_update(
    asset: ContentAsset, *, by: User | None = None, personas: list[Any] | None = None, **data: Any
) -> ContentAsset:
    for field, value in data.items():
        setattr(asset, field, value)
    _clean(asset, personas)
    asset.save()
    if personas is not None:
        asset.personas.set(personas)
    return asset


@transaction.atomic
def content_asset_delete(asset: ContentAsset, *, by: User | None = None) -> None:
    asset.delete()
