"""KPI figures for the dashboards and the summary endpoint, read from the rollups (never from raw events).

Every figure is split into ``target`` (strategic and priority tiers), ``non_target`` (standard) and ``all``
where that applies. Counts come with their sample sizes; rates with a Wilson interval and a
``not_enough_data`` status under :data:`analytics.kpis.MIN_SAMPLE` observations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from abe.models import Workspace
from accounts.models import Account, Tier
from accounts.selectors import saved_view_accounts

from .. import kpis
from ..models import (
    MEASURES,
    AccountDayFact,
    AnalyticsSettings,
    CommitteeSegmentFact,
    SegmentDayFact,
    SpendEntry,
    TierActiveGap,
    TierDayFact,
    TierDaySnapshot,
)
from .filters import TARGET_TIERS, KpiFilters

GROUPS = ("target", "non_target", "all")


def analytics_settings(*, workspace: Workspace) -> AnalyticsSettings:
    settings_row, _ = AnalyticsSettings.objects.get_or_create(workspace=workspace)
    return settings_row


def _group_of(tier: str) -> str:
    return "target" if tier in TARGET_TIERS else "non_target"


def _split(per_tier: dict[str, dict[str, Any]], keys: Iterable[str]) -> dict[str, dict[str, float]]:
    """Sum per-tier rows into target / non_target / all."""
    keys = list(keys)
    out = {group: {key: 0.0 for key in keys} for group in GROUPS}
    for tier, row in per_tier.items():
        for key in keys:
            value = float(row.get(key) or 0)
            out[_group_of(tier)][key] += value
            out["all"][key] += value
    return out


def _accounts(workspace: Workspace, filters: KpiFilters) -> QuerySet[Account]:
    qs = Account.objects.for_workspace(workspace)
    if filters.view is not None:
        chosen = saved_view_accounts(workspace=workspace, user=filters.user, view=filters.view)
        qs = qs.filter(pk__in=chosen.order_by().values("pk"))
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    if filters.owner is not None:
        qs = qs.filter(owner_id=filters.owner)
    if filters.industry:
        qs = qs.filter(industry=filters.industry)
    return qs


def segment_rows(*, workspace: Workspace, filters: KpiFilters, by: tuple[str, ...] = ("tier",)) -> list[dict[str, Any]]:
    """The segment facts of the period summed by the given keys (``tier``, ``owner_key``, ``industry``, ``day``).

    With a saved view the segments are the view's accounts: the same sums, grouped in one statement from the
    account facts of those accounts (their current tier, owner and industry)."""
    if filters.view is not None:
        return _view_segment_rows(workspace=workspace, filters=filters, by=by)
    qs: QuerySet[SegmentDayFact] | QuerySet[TierDayFact]
    if filters.owner is None and not filters.industry and set(by) <= {"tier", "day"}:
        # The same sums from the per-tier table: three rows a day.
        qs = TierDayFact.objects.for_workspace(workspace).filter(day__range=(filters.start, filters.end))
    else:
        segments = SegmentDayFact.objects.for_workspace(workspace).filter(day__range=(filters.start, filters.end))
        if filters.owner is not None:
            segments = segments.filter(owner_key=filters.owner)
        if filters.industry:
            segments = segments.filter(industry=filters.industry)
        qs = segments
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    sums = {name: Sum(name) for name in (*MEASURES, "accounts_active")}
    return list(qs.order_by().values(*by).annotate(**sums).order_by(*by))


def _view_segment_rows(*, workspace: Workspace, filters: KpiFilters, by: tuple[str, ...]) -> list[dict[str, Any]]:
    keys = {
        "tier": F("account__tier"),
        "owner_key": Coalesce(F("account__owner_id"), Value(0)),
        "industry": F("account__industry"),
        "day": F("day"),
    }
    qs = (
        AccountDayFact.objects.for_workspace(workspace)
        .filter(day__range=(filters.start, filters.end), account_id__in=_accounts(workspace, filters).values("pk"))
        .order_by()
        .annotate(**{f"k_{key}": keys[key] for key in by})
        .values(*[f"k_{key}" for key in by])
    )
    # Aliased apart from the field names: the active-day count filters on the field, not on its sum.
    sums: dict[str, Any] = {f"s_{name}": Sum(name) for name in MEASURES}
    sums["s_accounts_active"] = Count("id", filter=Q(events__gt=0))
    rows = qs.annotate(**sums).order_by(*[f"k_{key}" for key in by])
    return [
        {**{key: row[f"k_{key}"] for key in by}, **{k[2:]: v for k, v in row.items() if k[:2] == "s_"}} for row in rows
    ]


def _per_tier(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["tier"]: row for row in rows}


def committee_coverage_by_tier(*, workspace: Workspace, filters: KpiFilters) -> dict[str, dict[str, Any]]:
    """Per tier: accounts, summed committee coverage (0..1 each, the content app's rules: committee templates,
    each required role known / engaged / missing), accounts with at least 3 required roles engaged, single-threaded
    accounts and the status counts per required role. Current state (contacts), not events: read from the
    ``CommitteeSegmentFact`` rollup (rebuilt by every refresh) unless a saved view selects the accounts."""
    from .committee import committee_by_tier, committee_coverage

    if filters.view is not None:
        # A view selects accounts one by one: computed from its accounts' contacts, cached (current contacts, not
        # the period: one computation serves every period, the previous one included).
        from .cache import cached

        timeless = replace(filters, start=date(2000, 1, 1), end=date(2000, 1, 1))
        return cached(
            workspace=workspace,
            name="committee-coverage",
            filters=timeless,
            compute=lambda: committee_coverage(workspace=workspace, filters=filters),
        )
    qs = CommitteeSegmentFact.objects.for_workspace(workspace)
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    if filters.owner is not None:
        qs = qs.filter(owner_key=filters.owner)
    if filters.industry:
        qs = qs.filter(industry=filters.industry)
    fields = ("tier", "idx", "role_key", "role_label", "accounts", "coverage_sum", "covered", "single_threaded")
    return committee_by_tier(list(qs.order_by("tier", "idx").values(*fields, "engaged", "known", "missing")))


def _accounts_by_tier(workspace: Workspace, filters: KpiFilters) -> dict[str, int]:
    rows = _accounts(workspace, filters).order_by().values("tier").annotate(n=Count("id"))
    return {row["tier"]: row["n"] for row in rows}


def _engaged_by_tier(workspace: Workspace, filters: KpiFilters) -> dict[str, int]:
    """Accounts with at least one event in the period, per tier: from the per-tier gap rollup
    (``TierActiveGap``) unless an owner, an industry or a saved view narrows the accounts."""
    if filters.owner is None and not filters.industry and filters.view is None:
        gaps = TierActiveGap.objects.for_workspace(workspace).filter(
            Q(prev_day__isnull=True) | Q(prev_day__lt=filters.start), day__range=(filters.start, filters.end)
        )
        if filters.tier:
            gaps = gaps.filter(tier=filters.tier)
        return {row["tier"]: int(row["n"]) for row in gaps.order_by().values("tier").annotate(n=Sum("accounts"))}
    return engaged_by_tier_from_facts(workspace, filters)


def engaged_by_tier_from_facts(workspace: Workspace, filters: KpiFilters) -> dict[str, int]:
    # A semi-join (accounts whose id is among the active fact rows) rather than COUNT(DISTINCT) over a join:
    # the partial index on active days answers the inner part from the index alone.
    active = AccountDayFact.objects.for_workspace(workspace).filter(
        day__range=(filters.start, filters.end), events__gt=0
    )
    rows = (
        _accounts(workspace, filters)
        .filter(id__in=active.values("account_id"))
        .order_by()
        .values("tier")
        .annotate(n=Count("id"))
    )
    return {row["tier"]: row["n"] for row in rows}


def _rate(successes: float, n: float) -> dict[str, Any]:
    n_int, s_int = int(n), int(successes)
    interval = kpis.wilson_interval(s_int, n_int)
    return {
        "value": kpis.ratio(s_int, n_int),
        "n": n_int,
        "interval": list(interval) if interval else None,
        "status": "ok" if n_int >= kpis.MIN_SAMPLE else "not_enough_data",
    }


def spend_by_group(*, workspace: Workspace, start: date, end: date) -> dict[str, float]:
    """Spend in the period, prorated by days of overlap; an entry without a tier counts in ``all`` only."""
    out = {group: 0.0 for group in GROUPS}
    entries = SpendEntry.objects.for_workspace(workspace).filter(period_start__lte=end, period_end__gte=start)
    for entry in entries:
        length = (entry.period_end - entry.period_start).days + 1
        overlap = (min(end, entry.period_end) - max(start, entry.period_start)).days + 1
        share = float(entry.amount) * overlap / length
        out["all"] += share
        if entry.tier:
            out[_group_of(entry.tier)] += share
    return out


def kpi_summary(*, workspace: Workspace, filters: KpiFilters) -> dict[str, Any]:
    """The headline KPIs of a period (the summary endpoint, the overview and economics pages, the digest), cached
    per rollup version so the pages and the endpoint share one computation."""
    from .cache import cached

    return cached(
        workspace=workspace, name="kpi-summary", filters=filters, compute=lambda: _kpi_summary(workspace, filters)
    )


def _kpi_summary(workspace: Workspace, filters: KpiFilters) -> dict[str, Any]:
    settings_row = analytics_settings(workspace=workspace)
    per_tier = _per_tier(segment_rows(workspace=workspace, filters=filters))
    facts = _split(per_tier, (*MEASURES, "accounts_active"))
    accounts = _split({t: {"n": n} for t, n in _accounts_by_tier(workspace, filters).items()}, ["n"])
    engaged = _split({t: {"n": n} for t, n in _engaged_by_tier(workspace, filters).items()}, ["n"])
    coverage_rows = committee_coverage_by_tier(workspace=workspace, filters=filters)
    coverage_split = _split(coverage_rows, ["coverage_sum", "covered", "single_threaded"])
    spend = spend_by_group(workspace=workspace, start=filters.start, end=filters.end)
    latest = _tier_snapshot_at(workspace=workspace, day=filters.end, tier=filters.tier)

    out: dict[str, Any] = {
        "period": {"from": filters.start.isoformat(), "to": filters.end.isoformat(), "days": filters.days},
        "filters": {"tier": filters.tier or None, "owner": filters.owner, "industry": filters.industry or None},
    }
    out["coverage"] = {}
    out["engagement_by_tier"] = {}
    out["mqas"] = {}
    out["pipeline"] = {}
    out["win_rate"] = {}
    out["velocity_days"] = {}
    out["acv"] = {}
    out["ltv"] = {}
    out["cac"] = {}
    out["ltv_cac"] = {}
    out["alert_response"] = {}
    for group in GROUPS:
        f, n_accounts = facts[group], int(accounts[group]["n"])
        out["coverage"][group] = {
            "accounts": n_accounts,
            "engaged_accounts": int(engaged[group]["n"]),
            "engaged_share": kpis.ratio(engaged[group]["n"], n_accounts),
            "committee_coverage": kpis.ratio(coverage_split[group]["coverage_sum"], n_accounts),
            "accounts_with_3_roles": int(coverage_split[group]["covered"]),
            "single_threaded": int(coverage_split[group]["single_threaded"]),
        }
        out["mqas"][group] = {
            "entries": int(f["mqa_entries"]),
            "opportunities_created": int(f["opps_created"]),
            "opportunities_per_mqa": kpis.ratio(f["opps_created"], f["mqa_entries"]),
        }
        out["pipeline"][group] = {
            "opportunities_created": int(f["opps_created"]),
            "pipeline_created": round(f["pipeline_created"], 2),
            "won": int(f["opps_won"]),
            "lost": int(f["opps_lost"]),
            "won_amount": round(f["won_amount"], 2),
        }
        out["win_rate"][group] = _rate(f["opps_won"], f["opps_won"] + f["opps_lost"])
        cycle = kpis.ratio(f["won_cycle_days"], f["opps_won"])
        out["velocity_days"][group] = {"value": cycle, "n": int(f["opps_won"])}
        acv = kpis.ratio(f["won_amount"], f["opps_won"])
        out["acv"][group] = {"value": acv, "n": int(f["opps_won"])}
        ltv = kpis.ltv(acv=acv, gross_margin=settings_row.gross_margin, annual_churn=settings_row.annual_churn)
        out["ltv"][group] = {
            "value": ltv,
            "gross_margin": settings_row.gross_margin,
            "annual_churn": settings_row.annual_churn,
        }
        cac = kpis.ratio(spend[group], f["new_customers_won"]) if spend[group] else None
        out["cac"][group] = {
            "value": cac,
            "spend": round(spend[group], 2),
            "customers_won": int(f["new_customers_won"]),
        }
        ltv_cac = kpis.ratio(ltv, cac) if ltv is not None and cac else None
        out["ltv_cac"][group] = {
            "value": ltv_cac,
            "band": kpis.ltv_cac_band(ltv_cac),
            "target_band": list(kpis.LTV_CAC_BAND),
            "payback_months": kpis.payback_months(cac=cac, acv=acv, gross_margin=settings_row.gross_margin),
        }
        ack_hours = kpis.ratio(f["ack_seconds"], f["alerts_acknowledged"])
        resolve_hours = kpis.ratio(f["resolve_seconds"], f["alerts_resolved"])
        out["alert_response"][group] = {
            "raised": int(f["alerts_created"]),
            "acknowledged": int(f["alerts_acknowledged"]),
            "mean_hours_to_acknowledge": ack_hours / 3600 if ack_hours is not None else None,
            "resolved": int(f["alerts_resolved"]),
            "mean_hours_to_resolve": resolve_hours / 3600 if resolve_hours is not None else None,
        }
    for tier in Tier.values:
        if filters.tier and tier != filters.tier:
            continue
        row = per_tier.get(tier, {})
        snap = latest.get(tier)
        out["engagement_by_tier"][tier] = {
            "group": _group_of(tier),
            "accounts": int(snap["accounts"]) if snap else 0,
            "mean_score": kpis.ratio(snap["score_sum"], snap["accounts"]) if snap else None,
            "engaged": int(snap["engaged"]) if snap else 0,
            "mqa_now": int(snap["mqa"]) if snap else 0,
            "events": int(row.get("events") or 0),
            "active_account_days": int(row.get("accounts_active") or 0),
        }
        ack_hours = kpis.ratio(row.get("ack_seconds") or 0, row.get("alerts_acknowledged") or 0)
        out["alert_response"].setdefault("by_tier", {})[tier] = {
            "acknowledged": int(row.get("alerts_acknowledged") or 0),
            "mean_hours_to_acknowledge": ack_hours / 3600 if ack_hours is not None else None,
            "sla_hours": settings_row.sla_hours(tier),
            "within_sla": (ack_hours / 3600 <= settings_row.sla_hours(tier)) if ack_hours is not None else None,
        }
    result: dict[str, Any] = _jsonable(out)
    return result


def _tier_snapshot_at(*, workspace: Workspace, day: date, tier: str = "") -> dict[str, dict[str, Any]]:
    qs = TierDaySnapshot.objects.for_workspace(workspace).filter(day__lte=day, day__gte=day - timedelta(days=7))
    if tier:
        qs = qs.filter(tier=tier)
    last = qs.aggregate(d=Max("day"))["d"]
    if last is None:
        return {}
    rows = qs.filter(day=last).values("tier", "accounts", "score_sum", "engaged", "mqa")
    return {row["tier"]: dict(row) for row in rows}


def engagement_trend(*, workspace: Workspace, filters: KpiFilters) -> dict[str, Any]:
    """Mean engagement score per tier and day of the period (chart series)."""
    qs = TierDaySnapshot.objects.for_workspace(workspace).filter(day__range=(filters.start, filters.end))
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    days: list[str] = []
    series: dict[str, dict[str, float | None]] = {tier: {} for tier in Tier.values}
    for row in qs.order_by("day").values("day", "tier", "accounts", "score_sum"):
        key = row["day"].isoformat()
        if not days or days[-1] != key:
            days.append(key)
        series[row["tier"]][key] = round(row["score_sum"] / row["accounts"], 1) if row["accounts"] else None
    return {"days": days, "series": {tier: [values.get(d) for d in days] for tier, values in series.items()}}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float):
        return round(value, 4)
    return value
