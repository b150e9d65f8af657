"""The set-based asset-performance refresh gives the same rows as the per-account Python fold it replaced.

``reference_rows`` is that fold (kept here as the oracle; at the top stage a move is a new opportunity, as in the
statement); a seeded random workspace with
personas, contacts without persona, events without contact, outbound touches, stage changes before, between and
after the first touches, and opportunities inside and outside the 90 days is refreshed and compared row by row.
"""

import datetime as dt
import random
from bisect import bisect_right
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Min
from django.utils import timezone

from accounts.models import Account, Contact, Opportunity
from content.models import AssetPerformance
from content.selectors.nbc import content_settings
from engagement.models import EngagementEvent, JourneyStageChange
from engagement.rules import ScoringRules
from engagement.services.content_performance import PIPELINE_DAYS, asset_performance_refresh
from tests.factories import AccountFactory, ContactFactory, ContentAssetFactory, OpportunityFactory, PersonaFactory

pytestmark = pytest.mark.django_db

STAGES = ["unaware", "aware", "engaged", "mqa", "opportunity", "customer"]


def reference_rows(workspace):
    settings = content_settings(workspace=workspace)
    rank = {s.key: i for i, s in enumerate(ScoringRules.from_values().stages)}
    reach: dict = defaultdict(dict)
    groups = (
        EngagementEvent.objects.for_workspace(workspace)
        .filter(content_asset_id__isnull=False)
        .exclude(type="outbound_touch")
        .values("content_asset_id", "account_id", "contact_id")
        .annotate(first_at=Min("occurred_at"), n=Count("id"))
        .values_list("content_asset_id", "account_id", "contact_id", "first_at", "n")
    )
    for asset_id, account_id, contact_id, first_at, n in groups:
        r = reach[asset_id].setdefault(account_id, {"first_at": first_at, "contacts": set(), "n": 0})
        r["first_at"] = min(r["first_at"], first_at)
        r["n"] += n
        if contact_id:
            r["contacts"].add(contact_id)
    persona_of = dict(Contact.objects.for_workspace(workspace).values_list("pk", "persona_id"))
    changes = defaultdict(list)
    for account_id, at, old, new in (
        JourneyStageChange.objects.for_workspace(workspace)
        .order_by("changed_at", "id")
        .values_list("account_id", "changed_at", "from_stage", "to_stage")
    ):
        changes[account_id].append((at, old, new))
    opps = defaultdict(list)
    for account_id, created, amount in Opportunity.objects.for_workspace(workspace).values_list(
        "account_id", "created_date", "amount"
    ):
        opps[account_id].append((created, amount or Decimal(0)))
    current = dict(Account.objects.for_workspace(workspace).values_list("pk", "journey_stage"))

    def stage_at(account_id, moment):
        history = changes.get(account_id, [])
        i = bisect_right([c[0] for c in history], moment)
        if i:
            return history[i - 1][2]
        return history[0][1] if history else current.get(account_id, "")

    rows: dict = {}
    for asset_id, per_account in reach.items():
        for account_id, r in per_account.items():
            stage = stage_at(account_id, r["first_at"])
            end = r["first_at"] + dt.timedelta(days=settings.movement_days)
            base = rank.get(stage, len(rank))
            start = r["first_at"].astimezone(dt.UTC).date()
            if base == 0:  # the top stage: no later one; a new opportunity within the window is its move
                moved = any(
                    start <= c <= start + dt.timedelta(days=settings.movement_days) for c, _ in opps[account_id]
                )
            else:
                moved = any(
                    r["first_at"] < at <= end and rank.get(new, len(rank)) < base for at, _, new in changes[account_id]
                )
            pipeline = sum(
                (a for c, a in opps[account_id] if start <= c <= start + dt.timedelta(days=PIPELINE_DAYS)), Decimal(0)
            )
            personas = {persona_of.get(c) or 0 for c in r["contacts"]} - {0}
            for persona_key in {0} | personas:
                for stage_key in {"", stage}:
                    row = rows.setdefault((asset_id, persona_key, stage_key), [0, set(), 0, 0, Decimal(0)])
                    row[0] += 1
                    row[1] |= {c for c in r["contacts"] if not persona_key or persona_of.get(c) == persona_key}
                    row[2] += r["n"]
                    row[3] += int(moved)
                    row[4] += pipeline
    return {k: (v[0], len(v[1]), v[2], v[3], v[4]) for k, v in rows.items()}


def _random_workspace(workspace, rng, now):
    """Personas, assets, accounts with contacts, stage changes, opportunities and events, drawn from ``rng``."""
    personas = [PersonaFactory(workspace=workspace) for _ in range(3)]
    assets = [ContentAssetFactory(workspace=workspace) for _ in range(4)]
    accounts = [AccountFactory(workspace=workspace, journey_stage=rng.choice(STAGES)) for _ in range(14)]
    contacts = {
        a.pk: [ContactFactory(account=a, persona=rng.choice([None, *personas])) for _ in range(rng.randint(0, 3))]
        for a in accounts
    }
    n = 0
    for account in accounts:
        for _ in range(rng.randint(0, 3)):
            a, b = rng.sample(STAGES, 2)
            JourneyStageChange.objects.create(
                workspace=workspace,
                account=account,
                from_stage=a,
                to_stage=b,
                changed_at=now - dt.timedelta(days=rng.randint(0, 120), seconds=rng.randint(0, 86399)),
            )
        for _ in range(rng.randint(0, 2)):
            OpportunityFactory(
                account=account,
                amount=Decimal(rng.randint(1, 50) * 1000),
                created_date=(now - dt.timedelta(days=rng.randint(0, 150))).date(),
            )
        for _ in range(rng.randint(0, 6)):
            people = contacts[account.pk]
            n += 1
            EngagementEvent.objects.create(
                workspace=workspace,
                account=account,
                contact=rng.choice(people) if people and rng.random() < 0.8 else None,
                type=rng.choice(["content_download", "email_click", "web_visit", "outbound_touch"]),
                content_asset=rng.choice(assets),
                occurred_at=now - dt.timedelta(days=rng.randint(0, 130), seconds=rng.randint(0, 86399)),
                source="t",
                external_id=str(n),
            )


def test_set_based_refresh_equals_the_python_fold_on_a_random_workspace(workspace):
    now = timezone.now()
    _random_workspace(workspace, random.Random(14), now)
    expected = reference_rows(workspace)

    written = asset_performance_refresh(workspace=workspace, now=now)

    got = {
        (p.asset_id, p.persona_key, p.stage): (
            p.accounts_reached,
            p.contacts_reached,
            p.engagements,
            p.accounts_moved,
            p.pipeline_influenced,
        )
        for p in AssetPerformance.objects.for_workspace(workspace)
    }
    assert len(expected) > 20 and any(v[3] for v in expected.values()) and any(v[4] for v in expected.values())
    assert got == expected
    assert written == len(expected)
    # Safe to repeat: the same rows again.
    asset_performance_refresh(workspace=workspace, now=now)
    assert AssetPerformance.objects.for_workspace(workspace).count() == len(expected)


def _got(workspace):
    return {
        (p.asset_id, p.persona_key, p.stage): (
            p.accounts_reached,
            p.contacts_reached,
            p.engagements,
            p.accounts_moved,
            p.pipeline_influenced,
        )
        for p in AssetPerformance.objects.for_workspace(workspace)
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_refresh_plan_does_not_depend_on_statistics_that_do_not_know_the_workspace(workspace, other_workspace):
    """``load_demo --reset`` after an ANALYZE: the statistics know only the old workspace, so the new one is
    estimated at one row everywhere. The refresh then walked every stage change and opportunity of the workspace
    per reach (its workspace index looked best) and joined its CTEs with nested loops: > 7 minutes on the demo.
    Here: statistics gathered on another workspace only; the plan uses no workspace index for the per-account
    look-ups and no nested loop, the setting is back afterwards, and the rows are the oracle's."""
    now = timezone.now()
    rng = random.Random(7)
    others = AccountFactory.create_batch(30, workspace=other_workspace)
    asset = ContentAssetFactory(workspace=other_workspace)
    JourneyStageChange.objects.bulk_create(
        JourneyStageChange(
            workspace=other_workspace,
            account=others[i % 30],
            from_stage="aware",
            to_stage="engaged",
            changed_at=now - dt.timedelta(hours=i),
        )
        for i in range(3000)
    )
    Opportunity.objects.bulk_create(
        Opportunity(workspace=other_workspace, account=others[i % 30], name=f"o{i}", created_date=now.date())
        for i in range(1500)
    )
    EngagementEvent.objects.bulk_create(
        EngagementEvent(
            workspace=other_workspace,
            account=others[i % 30],
            type="web_visit",
            content_asset=asset,
            occurred_at=now - dt.timedelta(minutes=i),
            source="t",
            external_id=f"x{i}",
        )
        for i in range(3000)
    )
    with connection.cursor() as cursor:
        for model in (JourneyStageChange, Opportunity, EngagementEvent, Account, Contact, AssetPerformance):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    _random_workspace(workspace, rng, now)
    expected = reference_rows(workspace)
    seen: dict[str, str] = {}

    def explain(execute, sql, params, many, context):
        if sql.lstrip().startswith("WITH") and AssetPerformance._meta.db_table in sql:
            raw = context["cursor"].cursor
            raw.execute("EXPLAIN " + sql, params)
            seen["plan"] = "\n".join(row[0] for row in raw.fetchall())
            raw.execute("SHOW enable_nestloop")
            seen["nestloop"] = raw.fetchone()[0]
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain):
        asset_performance_refresh(workspace=workspace, now=now)
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_nestloop")
        after = cursor.fetchone()[0]

    plan = seen["plan"]
    workspace_indexes = [
        name
        for name in ("engagement_journeystagechange_workspace_id", "stage_change_ws_", "accounts_opportunity_workspace")
        if name in plan
    ]
    assert seen["nestloop"] == "off" and "Nested Loop" not in plan, plan
    assert not workspace_indexes and "opportunity_ws_" not in plan, plan
    assert after == "on"
    assert _got(workspace) == expected and len(expected) > 20


def test_at_the_top_stage_a_reached_account_moved_when_a_new_opportunity_followed(workspace):
    """Customer is the top stage: no later one to reach, so "moved" counted 0 of every reached customer, and the
    next-best post-sale content was ranked by reach alone (the least used first). A new deal in the movement window
    (an up-sell, cross-sell or renewal) is the move there."""
    now = timezone.now()
    asset = ContentAssetFactory(workspace=workspace)
    first = now - dt.timedelta(days=60)
    window = content_settings(workspace=workspace).movement_days
    deals = {"expanded": 10, "bought_before": -30, "too_late": window + 5, "none": None}
    for n, (name, days) in enumerate(deals.items()):
        account = AccountFactory(workspace=workspace, name=name, journey_stage="customer")
        EngagementEvent.objects.create(
            workspace=workspace,
            account=account,
            type="content_download",
            content_asset=asset,
            occurred_at=first,
            source="t",
            external_id=f"e{n}",
        )
        if days is not None:
            OpportunityFactory(account=account, created_date=(first + dt.timedelta(days=days)).date())

    asset_performance_refresh(workspace=workspace, now=now)

    row = AssetPerformance.objects.get(workspace=workspace, asset=asset, persona_key=0, stage="customer")
    assert (row.accounts_reached, row.accounts_moved) == (4, 1)
    assert reference_rows(workspace)[(asset.pk, 0, "customer")][3] == 1
