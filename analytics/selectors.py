"""Programme figures for the analytics pages, computed with aggregates (never a scan of raw events)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum

from abe.models import Workspace
from accounts.models import Account, Lifecycle, Opportunity, OpportunityStatus, Tier


def programme_overview(*, workspace: Workspace) -> dict[str, Any]:
    accounts = Account.objects.for_workspace(workspace)
    by_tier = dict(accounts.order_by().values_list("tier").annotate(n=Count("id")).values_list("tier", "n"))
    by_lifecycle = dict(
        accounts.order_by().values_list("lifecycle").annotate(n=Count("id")).values_list("lifecycle", "n")
    )
    opps = Opportunity.objects.for_workspace(workspace)
    totals = opps.aggregate(
        won=Count("id", filter=Q(status=OpportunityStatus.WON)),
        lost=Count("id", filter=Q(status=OpportunityStatus.LOST)),
        open=Count("id", filter=Q(status=OpportunityStatus.OPEN)),
        won_amount=Sum("amount", filter=Q(status=OpportunityStatus.WON)),
        acv=Avg("amount", filter=Q(status=OpportunityStatus.WON)),
        pipeline=Sum("amount", filter=Q(status=OpportunityStatus.OPEN)),
        cycle=Avg(
            ExpressionWrapper(F("close_date") - F("created_date"), output_field=DurationField()),
            filter=Q(status=OpportunityStatus.WON, close_date__isnull=False),
        ),
    )
    closed = totals["won"] + totals["lost"]
    cycle = totals["cycle"]
    if cycle is not None and not isinstance(cycle, timedelta):  # SQLite returns microseconds
        cycle = timedelta(microseconds=cycle)
    tier_rows = []
    per_tier = (
        opps.order_by()
        .values("account__tier")
        .annotate(
            won=Count("id", filter=Q(status=OpportunityStatus.WON)),
            lost=Count("id", filter=Q(status=OpportunityStatus.LOST)),
            won_amount=Sum("amount", filter=Q(status=OpportunityStatus.WON)),
        )
    )
    per_tier_map: dict[str, dict[str, Any]] = {row["account__tier"]: dict(row) for row in per_tier}
    for value, label in Tier.choices:
        row = per_tier_map.get(value, {"won": 0, "lost": 0, "won_amount": None})
        decided = row["won"] + row["lost"]
        tier_rows.append(
            {
                "tier": value,
                "label": label,
                "accounts": by_tier.get(value, 0),
                "won": row["won"],
                "lost": row["lost"],
                "win_rate": row["won"] / decided if decided else None,
                "won_amount": row["won_amount"],
            }
        )
    return {
        "accounts_total": sum(by_tier.values()),
        "customers": by_lifecycle.get(Lifecycle.CUSTOMER, 0),
        "prospects": by_lifecycle.get(Lifecycle.PROSPECT, 0),
        "former_customers": by_lifecycle.get(Lifecycle.FORMER_CUSTOMER, 0),
        "won": totals["won"],
        "lost": totals["lost"],
        "open": totals["open"],
        "win_rate": totals["won"] / closed if closed else None,
        "acv": totals["acv"],
        "won_amount": totals["won_amount"],
        "pipeline": totals["pipeline"],
        "cycle_days": cycle.days if cycle is not None else None,
        "tiers": tier_rows,
    }
