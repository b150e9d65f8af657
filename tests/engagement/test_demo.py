"""The demo's events are valid ingest rows: replaying them all through the ingest service changes nothing."""

from __future__ import annotations

import importlib

import pytest

from abe.demo import demo_workspace_create
from accounts.models import Account
from engagement import demo
from engagement.models import EngagementDay, EngagementEvent, JourneyStageChange, ScoreComponent
from engagement.services import events_ingest

pytestmark = pytest.mark.django_db(transaction=True)


def test_replaying_the_demo_events_changes_nothing(monkeypatch):
    monkeypatch.setattr(demo, "TARGET_EVENTS", 20_000)
    ctx = demo_workspace_create(seed=42)
    for app in ("personas", "accounts", "content", "engagement"):
        importlib.import_module(f"{app}.demo").build(ctx)
    ws = ctx.workspace
    before = (
        sorted(Account.objects.for_workspace(ws).values_list("pk", "engagement_score", "journey_stage")),
        sorted(
            EngagementDay.objects.for_workspace(ws).values_list("account_id", "contact_key", "type", "day", "count")
        ),
        sorted(ScoreComponent.objects.for_workspace(ws).values_list("account_id", "contact_key", "type", "log_sum")),
        JourneyStageChange.objects.for_workspace(ws).count(),
    )
    events = [
        {
            "source": e.source,
            "external_id": e.external_id,
            "type": e.type,
            "occurred_at": e.occurred_at.isoformat(),
            "account_id": e.account_id,
            **({"contact_email": e.contact.email} if e.contact_id else {}),
            "channel": e.channel,
            **({"content_asset_id": e.content_asset_id} if e.content_asset_id else {}),
            "metadata": e.metadata,
        }
        for e in EngagementEvent.objects.for_workspace(ws).select_related("contact")
    ]

    results = [
        events_ingest(workspace=ws, events=events[i : i + 5000], now=ctx.now) for i in range(0, len(events), 5000)
    ]

    assert len(events) > 15_000 and JourneyStageChange.objects.for_workspace(ws).exists()
    assert sum(r.accepted for r in results) == 0 and sum(r.duplicates for r in results) == len(events)
    assert [r.rejected for r in results] == [[]] * len(results)
    after = (
        sorted(Account.objects.for_workspace(ws).values_list("pk", "engagement_score", "journey_stage")),
        sorted(
            EngagementDay.objects.for_workspace(ws).values_list("account_id", "contact_key", "type", "day", "count")
        ),
        sorted(ScoreComponent.objects.for_workspace(ws).values_list("account_id", "contact_key", "type", "log_sum")),
        JourneyStageChange.objects.for_workspace(ws).count(),
    )
    assert after == before
