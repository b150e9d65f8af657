from __future__ import annotations

from django.db.models import QuerySet

from abe.models import Workspace

from ..models import ContentAsset


def content_asset_list(*, workspace: Workspace) -> QuerySet[ContentAsset]:
    return ContentAsset.objects.for_workspace(workspace).prefetch_related("personas")
