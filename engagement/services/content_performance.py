"""Asset performance from the events that reference each asset, stored in content's rollup table.

For every asset, per persona (0 = all) and journey stage at the first touch ("" = all stages):

- accounts and contacts reached, engagements (events referencing the asset; the team's own outbound touches
  are left out: they measure effort, not response);
- accounts moved: reached accounts whose journey stage advanced (a higher stage of the configured list)
  within ``movement_days`` of their first touch;
- pipeline influenced: the amount of opportunities created on reached accounts within 90 days after the first
  touch.

Run by a beat task (and after the demo is built); pages and the next-best-content ranking read the rollup.
Safe to repeat: each run replaces the workspace's rows.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min
from django.utils import timezone

from abe.models import Workspace
from accounts.models import Account, Contact, Opportunity
from content.selectors.nbc import content_settings
from content.services.performance import asset_performance_store

from ..models import EngagementConfig, EngagementEvent, EventType, JourneyStageChange
from ..rules import ScoringRules

PIPELINE_DAYS = 90


@dataclass
class _Reach:
    first_at: datetime
    contacts: set[int] = field(default_factory=set)
    personas: set[int] = field(default_factory=set)
    engagements: int = 0


def asset_performance_refresh(*, workspace: Workspace, now: datetime | None = None) -> int:
    now = now or timezone.now()
    settings = content_settings(workspace=workspace)
    config = EngagementConfig.objects.for_workspace(workspace).first()
    rules = ScoringRules.from_config(config) if config else ScoringRules.from_values()
    stage_order = [s.key for s in rules.stages]
    rank = {key: i for i, key in enumerate(stage_order)}  # 0 is the top stage

    reach: dict[int, dict[int, _Reach]] = defaultdict(dict)  # asset -> account -> reach
    # One row per (asset, account, contact): the database groups, Python only folds the groups.
    groups = (
        EngagementEvent.objects.for_workspace(workspace)
        .filter(content_asset_id__isnull=False)
        .exclude(type=EventType.OUTBOUND_TOUCH)
        .values("content_asset_id", "account_id", "contact_id")
        .annotate(first_at=Min("occurred_at"), n=Count("id"))
        .values_list("content_asset_id", "account_id", "contact_id", "first_at", "n")
    )
    contact_ids: set[int] = set()
    for asset_id, account_id, contact_id, first_at, n in groups.iterator(chunk_size=5000):
        r = reach[asset_id].get(account_id)
        if r is None:
            r = reach[asset_id][account_id] = _Reach(first_at=first_at)
        r.first_at = min(r.first_at, first_at)
        r.engagements += n
        if contact_id:
            r.contacts.add(contact_id)
            contact_ids.add(contact_id)
    account_ids = {a for per in reach.values() for a in per}
    persona_of = (
        dict(Contact.objects.for_workspace(workspace).filter(pk__in=contact_ids).values_list("pk", "persona_id"))
        if contact_ids
        else {}
    )
    changes: dict[int, list[tuple[datetime, str, str]]] = defaultdict(list)
    for account_id, at, old, new in (
        JourneyStageChange.objects.for_workspace(workspace)
        .filter(account_id__in=account_ids)
        .order_by("changed_at")
        .values_list("account_id", "changed_at", "from_stage", "to_stage")
    ):
        changes[account_id].append((at, old, new))
    opportunities: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for account_id, created, amount in (
        Opportunity.objects.for_workspace(workspace)
        .filter(account_id__in=account_ids)
        .values_list("account_id", "created_date", "amount")
    ):
        opportunities[account_id].append((created, amount or Decimal(0)))

    current = dict(
        Account.objects.for_workspace(workspace).filter(pk__in=account_ids).values_list("pk", "journey_stage")
    )

    times = {account_id: [c[0] for c in history] for account_id, history in changes.items()}

    def stage_at(account_id: int, moment: datetime) -> str:
        history = changes.get(account_id, [])
        i = bisect_right(times.get(account_id, []), moment)
        if i:
            return history[i - 1][2]
        return history[0][1] if history else current.get(account_id, "")

    def moved(account_id: int, start: datetime, stage: str) -> bool:
        end = start + timedelta(days=settings.movement_days)
        base = rank.get(stage, len(rank))
        return any(start < at <= end and rank.get(new, len(rank)) < base for at, _, new in changes.get(account_id, []))

    rows: dict[tuple[int, int, str], dict[str, Any]] = {}
    for asset_id, per_account in reach.items():
        for account_id, r in per_account.items():
            stage = stage_at(account_id, r.first_at)
            did_move = moved(account_id, r.first_at, stage)
            start_day = r.first_at.date()
            pipeline = sum(
                (
                    amount
                    for created, amount in opportunities.get(account_id, [])
                    if start_day <= created <= start_day + timedelta(days=PIPELINE_DAYS)
                ),
                Decimal(0),
            )
            personas = {persona_of.get(c) or 0 for c in r.contacts} - {0}
            for persona_key in {0} | personas:
                for stage_key in {"", stage}:
                    row = rows.setdefault(
                        (asset_id, persona_key, stage_key),
                        {
                            "accounts_reached": 0,
                            "contacts": set(),
                            "engagements": 0,
                            "accounts_moved": 0,
                            "pipeline_influenced": Decimal(0),
                        },
                    )
                    row["accounts_reached"] += 1
                    people = (
                        r.contacts if not persona_key else {c for c in r.contacts if persona_of.get(c) == persona_key}
                    )
                    row["contacts"] |= people
                    row["engagements"] += r.engagements
                    row["accounts_moved"] += int(did_move)
                    row["pipeline_influenced"] += pipeline
    return asset_performance_store(workspace=workspace, rows=rows, computed_at=now)
