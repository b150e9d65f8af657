"""The workspace stats (tier counts, filter menus) are read from the cache once per request's workspace object,
and an invalidation in the same process makes the next read fresh (``accounts.selectors.board_stats``)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from abe.models import Workspace
from accounts import selectors
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _stats_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    original = cache.get

    def get(key, *args, **kwargs):
        if "board-stats" in str(key):
            reads.append(key)
        return original(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", get)
    return reads


def test_the_tier_board_reads_the_stats_once(admin_client, workspace, monkeypatch):
    AccountFactory(workspace=workspace, tier="strategic", industry="Software", country="US")
    reads = _stats_reads(monkeypatch)

    response = admin_client.get("/accounts/tiers/")

    assert response.status_code == 200
    assert len(reads) == 1


def test_an_invalidation_makes_the_next_read_fresh(workspace):
    AccountFactory(workspace=workspace, tier="strategic")
    ws = Workspace.objects.get(pk=workspace.pk)
    assert selectors.board_stats(workspace=ws)["tiers"]["strategic"]["count"] == 1

    AccountFactory(workspace=workspace, tier="strategic")
    selectors.board_stats_invalidate(workspace=workspace.pk)  # another object of the same workspace

    assert selectors.board_stats(workspace=ws)["tiers"]["strategic"]["count"] == 2
    assert selectors.board_stats(workspace=Workspace.objects.get(pk=workspace.pk))["tiers"]["strategic"]["count"] == 2
