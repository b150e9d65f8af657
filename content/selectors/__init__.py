"""Reads of the content app: the library, committee coverage, next-best content, outreach and plays."""

from .library import content_asset_list

__all__ = ["content_asset_list"]
