"""Programme impact: the cited lifts measured on the workspace's own data, with intervals.

Two comparisons, both read from the rollups (plus closed opportunities for deal-level ACV and cycle):
- target (strategic + priority) against standard accounts over the period;
- before against after an account entered a target tier (``TierChange``), on equal windows around the entry.
A lift is claimed only when its 95% interval excludes zero and each group has enough observations.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, FloatField, Q, Sum
from django.db.models.functions import Cast
from django.utils.translation import gettext_noop

from abe.models import Workspace
from accounts.models import Account, Opportunity, TierChange

from .. import kpis
from ..kpis import Moments
from ..models import AccountDayFact
from .filters import TARGET_TIERS, KpiFilters
from .kpis import _accounts

WINDOW_DAYS = 180


def _account_moments(workspace: Workspace, filters: KpiFilters) -> dict[str, dict[str, Moments]]:
    """Per group, moments of per-account opportunities created and revenue won over the period (zeros included).

    Only the fact days with a deal are read (the partial index ``account_day_fact_deals`` answers them alone);
    accounts without one count as zeros through the per-tier account counts."""
    accounts = _accounts(workspace, filters)
    counts = dict(accounts.order_by().values("tier").annotate(n=Count("id")).values_list("tier", "n"))
    sub_sql, sub_params = accounts.values("id").query.sql_with_params()
    statement = (
        f"SELECT a.tier, SUM(x.opps), SUM(x.opps * x.opps), SUM(x.won), SUM(x.won * x.won) FROM ("
        f"SELECT account_id, SUM(opps_created) AS opps, SUM(won_amount) AS won FROM {AccountDayFact._meta.db_table} "
        f"WHERE workspace_id = %s AND day BETWEEN %s AND %s AND (opps_created > 0 OR opps_won > 0) "
        f"AND account_id IN ({sub_sql}) GROUP BY account_id"
        f") x JOIN {Account._meta.db_table} a ON a.id = x.account_id GROUP BY a.tier"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [workspace.pk, filters.start, filters.end, *sub_params])
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    out: dict[str, dict[str, list[float]]] = {
        g: {"opps": [0, 0.0, 0.0], "won": [0, 0.0, 0.0]} for g in ("target", "non_target")
    }
    for tier, n in counts.items():
        group = "target" if tier in TARGET_TIERS else "non_target"
        opps, opps2, won, won2 = (float(v or 0) for v in rows.get(tier, (0, 0, 0, 0)))
        for key, total, squares in (("opps", opps, opps2), ("won", won, won2)):
            out[group][key][0] += n
            out[group][key][1] += total
            out[group][key][2] += squares
    return {g: {k: Moments(int(v[0]), v[1], v[2]) for k, v in metrics.items()} for g, metrics in out.items()}


def _deal_stats(workspace: Workspace, filters: KpiFilters) -> dict[str, dict[str, Any]]:
    """Per group, won and lost deals closed in the period, and moments of won amounts and cycle days."""
    qs = Opportunity.objects.for_workspace(workspace).filter(
        close_date__range=(filters.start, filters.end), account__in=_accounts(workspace, filters)
    )
    amount = Cast("amount", FloatField())
    won = Q(status="won")
    rows = (
        qs.order_by()
        .values("account__tier")
        .annotate(
            won=Count("id", filter=won),
            lost=Count("id", filter=Q(status="lost")),
            amount_n=Count("id", filter=won & Q(amount__isnull=False)),
            amount_sum=Sum(amount, filter=won),
            amount_sq=Sum(amount * amount, filter=won),
        )
    )
    out: dict[str, dict[str, Any]] = {
        g: {"won": 0, "lost": 0, "amount": [0, 0.0, 0.0], "cycle": [0, 0.0, 0.0]} for g in ("target", "non_target")
    }
    for row in rows:
        g = out["target" if row["account__tier"] in TARGET_TIERS else "non_target"]
        g["won"] += row["won"]
        g["lost"] += row["lost"]
        g["amount"] = [
            g["amount"][0] + row["amount_n"],
            g["amount"][1] + (row["amount_sum"] or 0),
            g["amount"][2] + (row["amount_sq"] or 0),
        ]
    # Cycle days: date arithmetic differs by database, so read the (few) won deals' two dates.
    for tier, created, closed in qs.filter(won).values_list("account__tier", "created_date", "close_date"):
        if closed is None:
            continue
        g = out["target" if tier in TARGET_TIERS else "non_target"]
        days = float((closed - created).days)
        g["cycle"] = [g["cycle"][0] + 1, g["cycle"][1] + days, g["cycle"][2] + days * days]
    return out


def programme_impact(*, workspace: Workspace, filters: KpiFilters) -> dict[str, Any]:
    accounts = _account_moments(workspace, filters)
    deals = _deal_stats(workspace, filters)
    t, s = accounts["target"], accounts["non_target"]
    dt_, ds = deals["target"], deals["non_target"]
    amount_t, amount_s = Moments(*dt_["amount"]), Moments(*ds["amount"])
    cycle_t, cycle_s = Moments(*dt_["cycle"]), Moments(*ds["cycle"])
    win_diff = kpis.proportion_difference(dt_["won"], dt_["won"] + dt_["lost"], ds["won"], ds["won"] + ds["lost"])
    velocity = kpis.mean_difference(cycle_s, cycle_t)  # shorter cycles in target accounts are a positive lift
    target_vs_standard = [
        kpis.lift(
            name="opportunities_per_account",
            label=gettext_noop("Opportunities created per account"),
            measured=kpis.mean_difference(t["opps"], s["opps"]),
            baseline=s["opps"].mean,
            n=(t["opps"].n, s["opps"].n),
        ),
        kpis.lift(
            name="revenue_per_account",
            label=gettext_noop("Revenue won per account"),
            measured=kpis.mean_difference(t["won"], s["won"]),
            baseline=s["won"].mean,
            n=(t["won"].n, s["won"].n),
        ),
        kpis.lift(
            name="win_rate",
            label=gettext_noop("Win rate"),
            measured=win_diff,
            baseline=kpis.ratio(ds["won"], ds["won"] + ds["lost"]),
            n=(dt_["won"] + dt_["lost"], ds["won"] + ds["lost"]),
        ),
        kpis.lift(
            name="acv",
            label=gettext_noop("Average contract value"),
            measured=kpis.mean_difference(amount_t, amount_s),
            baseline=amount_s.mean,
            n=(amount_t.n, amount_s.n),
        ),
        kpis.lift(
            name="velocity",
            label=gettext_noop("Deal velocity (shorter sales cycle)"),
            measured=velocity,
            baseline=cycle_s.mean,
            n=(cycle_t.n, cycle_s.n),
        ),
    ]
    for row, (a, b) in zip(
        target_vs_standard,
        ((t["opps"], s["opps"]), (t["won"], s["won"]), (None, None), (amount_t, amount_s), (cycle_t, cycle_s)),
        strict=True,
    ):
        row["target_mean"] = a.mean if a is not None else kpis.ratio(dt_["won"], dt_["won"] + dt_["lost"])
        row["standard_mean"] = b.mean if b is not None else kpis.ratio(ds["won"], ds["won"] + ds["lost"])
    return {
        "period": {"from": filters.start.isoformat(), "to": filters.end.isoformat()},
        "target_vs_standard": target_vs_standard,
        "before_after": before_after_tier_entry(workspace=workspace, today=filters.end),
    }


def before_after_tier_entry(*, workspace: Workspace, today: date, window_days: int = WINDOW_DAYS) -> dict[str, Any]:
    """Opportunities and revenue per account in equal windows before and after entering a target tier."""
    entries: dict[int, date] = {}
    changes = (
        TierChange.objects.for_workspace(workspace)
        .filter(new_tier__in=TARGET_TIERS)
        .exclude(old_tier__in=TARGET_TIERS)
        .order_by("created_at")
        .values_list("account_id", "created_at")
    )
    for account_id, at in changes:
        entries.setdefault(account_id, at.date())
    windows: dict[int, tuple[date, int]] = {}
    for account_id, entered in entries.items():
        days = min(window_days, (today - entered).days)
        if days >= 30:  # under a month after the entry says nothing yet
            windows[account_id] = (entered, days)
    sums: dict[int, dict[str, float]] = defaultdict(lambda: {"ob": 0, "oa": 0, "rb": 0.0, "ra": 0.0})
    if windows:
        earliest = min(entered - timedelta(days=days) for entered, days in windows.values())
        facts = (
            AccountDayFact.objects.for_workspace(workspace)
            .filter(account_id__in=list(windows), day__gte=earliest)
            .filter(Q(opps_created__gt=0) | Q(opps_won__gt=0))
            .values_list("account_id", "day", "opps_created", "won_amount")
        )
        for account_id, day, opps, won in facts:
            entered, days = windows[account_id]
            if entered - timedelta(days=days) <= day < entered:
                sums[account_id]["ob"] += opps
                sums[account_id]["rb"] += float(won)
            elif entered <= day < entered + timedelta(days=days):
                sums[account_id]["oa"] += opps
                sums[account_id]["ra"] += float(won)
    results = []
    for name, label, before, after in (
        ("opportunities_per_account", gettext_noop("Opportunities created per account"), "ob", "oa"),
        ("revenue_per_account", gettext_noop("Revenue won per account"), "rb", "ra"),
    ):
        diffs = [sums[a][after] - sums[a][before] for a in windows]
        moments = Moments(len(diffs), sum(diffs), sum(d * d for d in diffs))
        baseline = kpis.ratio(sum(sums[a][before] for a in windows), len(windows))
        row = kpis.lift(
            name=name,
            label=label,
            measured=kpis.paired_difference(moments),
            baseline=baseline,
            n=(len(windows), len(windows)),
        )
        row["before_mean"] = baseline
        row["after_mean"] = kpis.ratio(sum(sums[a][after] for a in windows), len(windows))
        results.append(row)
    return {"accounts": len(windows), "window_days": window_days, "lifts": results}
