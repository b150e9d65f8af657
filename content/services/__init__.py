"""Writes of the content app: the library, committee maps, outreach templates, plays, settings, rollups."""

from .library import content_asset_create, content_asset_delete, content_asset_update

__all__ = ["content_asset_create", "content_asset_delete", "content_asset_update"]
