"""Asset performance from events that reference assets (by id or URL), and the won/lost committee analysis."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from content.models import AssetPerformance
from content.selectors.analysis import won_lost_analysis
from engagement.models import EngagementDay, JourneyStageChange
from engagement.services.content_performance import asset_performance_refresh
from engagement.services.ingest import events_ingest
from tests.factories import AccountFactory, ContactFactory, ContentAssetFactory, OpportunityFactory, PersonaFactory

pytestmark = pytest.mark.django_db


def test_events_reference_assets_by_id_or_url_and_outbound_touches_are_not_ingested(workspace):
    account = AccountFactory(workspace=workspace, domain="globex.com")
    asset = ContentAssetFactory(workspace=workspace, url="https://content.example.com/roi")
    now = timezone.now().isoformat()
    base = {"source": "web", "type": "content_download", "occurred_at": now, "account_id": account.pk}

    result = events_ingest(
        workspace=workspace,
        events=[
            {**base, "external_id": "1", "content_asset_url": "https://content.example.com/roi/"},
            {**base, "external_id": "2", "content_asset_id": asset.pk},
            {**base, "external_id": "3", "content_asset_url": "https://nowhere.example.com/x"},
            {**base, "external_id": "4", "type": "outbound_touch"},
        ],
    )

    assert result.accepted == 2
    assert [r["index"] for r in result.rejected] == [2, 3]
    assert "content_asset_url" in result.rejected[0]["errors"]
    assert set(account.engagement_events.values_list("content_asset_id", flat=True)) == {asset.pk}


def test_refresh_counts_reach_movement_and_pipeline_per_persona_and_stage(workspace):
    persona = PersonaFactory(workspace=workspace)
    asset = ContentAssetFactory(workspace=workspace)
    t0 = timezone.now() - dt.timedelta(days=40)
    moved = AccountFactory(workspace=workspace, journey_stage="engaged")
    stayed = AccountFactory(workspace=workspace, journey_stage="aware")
    for account in (moved, stayed):
        JourneyStageChange.objects.create(
            workspace=workspace,
            account=account,
            from_stage="unaware",
            to_stage="aware",
            changed_at=t0 - dt.timedelta(days=5),
        )
    JourneyStageChange.objects.create(
        workspace=workspace,
        account=moved,
        from_stage="aware",
        to_stage="engaged",
        changed_at=t0 + dt.timedelta(days=10),
    )
    OpportunityFactory(account=moved, amount=25000, created_date=(t0 + dt.timedelta(days=20)).date())
    c1 = ContactFactory(account=moved, persona=persona)
    c2 = ContactFactory(account=stayed)
    from engagement.models import EngagementEvent

    for i, (account, contact) in enumerate([(moved, c1), (moved, c1), (stayed, c2)]):
        EngagementEvent.objects.create(
            workspace=workspace,
            account=account,
            contact=contact,
            type="content_download",
            content_asset=asset,
            occurred_at=t0 + dt.timedelta(hours=i),
            source="t",
            external_id=str(i),
        )

    asset_performance_refresh(workspace=workspace)

    overall = AssetPerformance.objects.get(asset=asset, persona_key=0, stage="")
    assert (overall.accounts_reached, overall.contacts_reached, overall.engagements, overall.accounts_moved) == (
        2,
        2,
        3,
        1,
    )
    assert overall.pipeline_influenced == 25000
    by_persona = AssetPerformance.objects.get(asset=asset, persona_key=persona.pk, stage="aware")
    assert (by_persona.accounts_reached, by_persona.accounts_moved) == (1, 1)


def test_won_lost_says_when_there_are_too_few_deals(workspace):
    OpportunityFactory(account=AccountFactory(workspace=workspace), status="won", close_date=dt.date.today())

    analysis = won_lost_analysis(workspace=workspace)

    assert not analysis.enough
    assert analysis.verdict.startswith("Too few deals to tell: 1 won and 0 lost")
    assert analysis.suggestions == []


def test_won_lost_finds_the_role_that_separates_won_from_lost(workspace):
    close = dt.date.today() - dt.timedelta(days=10)
    for status in ("won", "lost"):
        for _ in range(10):
            account = AccountFactory(workspace=workspace)
            OpportunityFactory(account=account, status=status, close_date=close)
            if status == "won":  # every won deal had an engaged blocker-turned-ally; no lost one did
                contact = ContactFactory(account=account, buying_role="blocker")
                contact.created_at = timezone.now() - dt.timedelta(days=200)
                contact.save(update_fields=["created_at"])
                EngagementDay.objects.create(
                    workspace=workspace,
                    account=account,
                    contact=contact,
                    contact_key=contact.pk,
                    type="meeting",
                    day=close - dt.timedelta(days=5),
                    count=1,
                    last_at=timezone.now(),
                )

    analysis = won_lost_analysis(workspace=workspace, last=50)

    assert analysis.enough
    top = analysis.roles[0]
    assert (top.requirement.key, top.won_engaged, top.lost_engaged, top.in_template) == ("blocker", 1.0, 0.0, False)
    assert analysis.suggestions[0].startswith("Add Blocker to the committee templates")
