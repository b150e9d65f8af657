"""Where accounts stand now and alert response by rule and by person, read from their rollups.

- ``StageStandFact``: accounts per (tier, owner, industry, current stage, day they entered it), rebuilt by every
  rollup refresh: accounts per stage, stalled ones (no move for ``STALLED_DAYS`` calendar days) and the median
  days in stage follow for any "today".
- ``AlertSegmentFact``: alerts raised per (day, tier, owner, industry, rule, severity, assignee) with their
  acknowledgements and summed seconds to acknowledge.

A saved view selects accounts one by one, which segment rows cannot: with a view the same figures are computed
from the view's accounts and their alerts (``*_from_sources``, grouped in the database), which the tests also hold
the rollups to.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from abe.models import Workspace
from activation.models import Alert, Rule

from ..models import AlertSegmentFact, StageStandFact
from .filters import KpiFilters
from .kpis import _accounts

STALLED_DAYS = 60


def _segment_filter(qs: QuerySet[Any], filters: KpiFilters) -> QuerySet[Any]:
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    if filters.owner is not None:
        qs = qs.filter(owner_key=filters.owner)
    if filters.industry:
        qs = qs.filter(industry=filters.industry)
    return qs


def _standing(rows: list[tuple[str, date | None, int]], today: date) -> dict[str, dict[str, Any]]:
    """Per stage: accounts, stalled (entered the stage before ``today - STALLED_DAYS``) and the median days in
    stage (the middle account by the day it entered; accounts without a recorded change count in the total but
    have no day, as on the accounts list)."""
    per_stage: dict[str, list[tuple[date | None, int]]] = defaultdict(list)
    for stage, day, n in rows:
        per_stage[stage].append((day, int(n)))
    stalled_before = today - timedelta(days=STALLED_DAYS)
    out: dict[str, dict[str, Any]] = {}
    for stage, items in per_stage.items():
        total = sum(n for _, n in items)
        known = sorted((day, n) for day, n in items if day is not None)
        median = None
        position = total // 2
        if stage != "unaware":
            seen = 0
            for day, n in known:
                if position < seen + n:
                    median = (today - day).days
                    break
                seen += n
        out[stage] = {
            "n": total,
            "stalled": sum(n for day, n in known if day < stalled_before),
            "median_days": median,
        }
    return out


def stage_standing(*, workspace: Workspace, filters: KpiFilters, today: date) -> dict[str, dict[str, Any]]:
    """Where the accounts of the filters stand now, from the rollup (or the view's accounts)."""
    if filters.view is not None:
        return stage_standing_from_sources(workspace=workspace, filters=filters, today=today)
    qs = _segment_filter(StageStandFact.objects.for_workspace(workspace), filters)
    rows = qs.order_by().values_list("stage", "since_day").annotate(n=Sum("accounts"))
    return _standing(list(rows), today)


def stage_standing_from_sources(*, workspace: Workspace, filters: KpiFilters, today: date) -> dict[str, dict[str, Any]]:
    rows = (
        _accounts(workspace, filters)
        .order_by()
        .annotate(since=TruncDate("journey_stage_changed_at", tzinfo=UTC))
        .values_list("journey_stage", "since")
        .annotate(n=Count("id"))
    )
    return _standing(list(rows), today)


def _rule_names(keys: set[int]) -> dict[int, str]:
    return dict(Rule.objects.filter(pk__in=keys).values_list("pk", "name"))


def _by_rule_sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # As the database orders rule names ascending: system alerts (no rule) last.
    return sorted(rows, key=lambda r: (r["rule"] is None, r["rule"] or "", r["severity"]))


def alert_response(*, workspace: Workspace, filters: KpiFilters) -> dict[str, list[dict[str, Any]]]:
    """Alerts raised in the period on the filters' accounts (suppressed and held-back ones left out): ``by_rule``
    (rule name or None for system alerts, severity, raised, acknowledged, mean hours to acknowledge) and ``by_person``
    (assignee id or None, acknowledged, mean hours), from the rollup (or the view's accounts' alerts)."""
    if filters.view is not None:
        return alert_response_from_sources(workspace=workspace, filters=filters)
    qs = _segment_filter(
        AlertSegmentFact.objects.for_workspace(workspace).filter(day__range=(filters.start, filters.end)), filters
    )
    rule_rows = list(
        qs.order_by()
        .values("rule_key", "severity")
        .annotate(n=Sum("raised"), acked=Sum("acknowledged"), seconds=Sum("ack_seconds"))
    )
    names = _rule_names({r["rule_key"] for r in rule_rows if r["rule_key"]})
    by_rule = [
        {
            "rule": names.get(r["rule_key"]),
            "severity": r["severity"],
            "raised": int(r["n"]),
            "acknowledged": int(r["acked"]),
            "hours": r["seconds"] / r["acked"] / 3600 if r["acked"] else None,
        }
        for r in rule_rows
    ]
    person_rows = (
        qs.order_by()
        .values("assignee_key")
        .annotate(acked=Sum("acknowledged"), seconds=Sum("ack_seconds"))
        .filter(acked__gt=0)
    )
    by_person = sorted(
        (
            {
                "assignee": r["assignee_key"] or None,
                "acknowledged": int(r["acked"]),
                "hours": r["seconds"] / r["acked"] / 3600,
            }
            for r in person_rows
        ),
        key=lambda r: (r["assignee"] is None, r["assignee"] or 0),
    )
    return {"by_rule": _by_rule_sorted(by_rule), "by_person": by_person}


def _hours(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds() / 3600
    return float(value) / 1e6 / 3600  # SQLite answers microseconds


def alert_response_from_sources(*, workspace: Workspace, filters: KpiFilters) -> dict[str, list[dict[str, Any]]]:
    since = datetime.combine(filters.start, time.min, UTC)
    until = datetime.combine(filters.end + timedelta(days=1), time.min, UTC)
    alerts = (
        Alert.objects.for_workspace(workspace)
        .filter(created_at__gte=since, created_at__lt=until, account__in=_accounts(workspace, filters))
        .exclude(status__in=["suppressed", "held_back"])
    )
    to_ack = ExpressionWrapper(F("acknowledged_at") - F("created_at"), output_field=DurationField())
    by_rule = [
        {
            "rule": r["rule__name"],
            "severity": r["severity"],
            "raised": r["n"],
            "acknowledged": r["acked"],
            "hours": _hours(r["ack"]),
        }
        for r in alerts.order_by()
        .values("rule__name", "severity")
        .annotate(n=Count("id"), acked=Count("id", filter=Q(acknowledged_at__isnull=False)), ack=Avg(to_ack))
    ]
    by_person = sorted(
        (
            {"assignee": r["assignee_id"], "acknowledged": r["n"], "hours": _hours(r["ack"])}
            for r in alerts.filter(acknowledged_at__isnull=False)
            .order_by()
            .values("assignee_id")
            .annotate(n=Count("id"), ack=Avg(to_ack))
        ),
        key=lambda r: (r["assignee"] is None, r["assignee"] or 0),
    )
    return {"by_rule": _by_rule_sorted(by_rule), "by_person": by_person}
