"""The journey funnel by monthly cohort: accounts grouped by the month they entered the journey (their first
recorded stage change), and how many of each cohort went on to reach every later stage.

The page reads the rollup ``AccountStageReach`` (kept by the rollup refreshes: each account's entry and its days to
every stage it reached): one grouped statement by cohort month and stage. ``journey_cohorts_from_changes`` computes
the same figures from the recorded stage changes themselves: the reference the tests hold the rollup to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import connection

from abe.models import Workspace
from engagement.models import JourneyStageChange

from ..models import AccountStageReach
from .filters import KpiFilters
from .kpis import _accounts


@dataclass
class Cohort:
    month: str
    accounts: int = 0
    reached: dict[str, int] = field(default_factory=dict)  # stage key -> accounts of the cohort that reached it
    days_to: dict[str, float] = field(default_factory=dict)  # stage key -> mean days from entry to first arrival


def journey_cohorts(*, workspace: Workspace, filters: KpiFilters) -> list[Cohort]:
    """The cohorts of accounts that entered the journey in the period (months, oldest first), from the rollup."""
    postgres = connection.vendor == "postgresql"
    month = "to_char(entered_at AT TIME ZONE 'UTC', 'YYYY-MM')" if postgres else "strftime('%%Y-%%m', entered_at)"
    accounts_sql, accounts_params = _accounts(workspace, filters).order_by().values("pk").query.sql_with_params()
    since = datetime.combine(filters.start, time.min, UTC)
    until = datetime.combine(filters.end + timedelta(days=1), time.min, UTC)
    statement = (
        f"SELECT {month}, stage, COUNT(*), AVG(days) FROM {AccountStageReach._meta.db_table} "
        f"WHERE workspace_id = %s AND entered_at >= %s AND entered_at < %s AND account_id IN ({accounts_sql}) "
        f"GROUP BY 1, 2"
    )
    return _cohorts(statement, [workspace.pk, since, until, *accounts_params])


def _cohorts(statement: str, params: list[Any]) -> list[Cohort]:
    cohorts: dict[str, Cohort] = {}
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for label, stage, n, mean_days in cursor.fetchall():
            cohort = cohorts.setdefault(label, Cohort(month=label))
            if stage == "":
                cohort.accounts = int(n)
            else:
                cohort.reached[stage] = int(n)
                cohort.days_to[stage] = float(mean_days) if mean_days is not None else 0.0
    return [cohorts[key] for key in sorted(cohorts)]


def journey_cohorts_from_changes(*, workspace: Workspace, filters: KpiFilters, stages: list[str]) -> list[Cohort]:
    """The cohorts of accounts that entered the journey in the period (months, oldest first).

    ``stages`` in the order accounts travel them (first stage first). An account has reached a stage when it
    arrived there or at any later stage (a jump from aware to MQA passes engaged), or started its first recorded
    change from there; the funnel therefore narrows stage by stage."""
    postgres = connection.vendor == "postgresql"
    table = JourneyStageChange._meta.db_table
    if postgres:
        month = "to_char(c.entered AT TIME ZONE 'UTC', 'YYYY-MM')"
        days = "EXTRACT(EPOCH FROM (r.at - c.entered)) / 86400.0"
    else:
        month = "strftime('%%Y-%%m', c.entered)"
        days = "(julianday(r.at) - julianday(c.entered))"
    accounts_sql, accounts_params = _accounts(workspace, filters).order_by().values("pk").query.sql_with_params()
    since = datetime.combine(filters.start, time.min, UTC)
    until = datetime.combine(filters.end + timedelta(days=1), time.min, UTC)
    ranks = " UNION ALL ".join(["SELECT CAST(%s AS VARCHAR(40)) AS stage, %s AS pos"] * len(stages))
    statement = (
        f"WITH ranks AS ({ranks}), "
        f"c AS (SELECT account_id, MIN(changed_at) AS entered FROM {table} "
        f"WHERE workspace_id = %s AND account_id IN ({accounts_sql}) GROUP BY account_id), "
        f"arrivals AS (SELECT j.account_id, j.to_stage AS stage, j.changed_at AS at FROM {table} j "
        f"JOIN c ON c.account_id = j.account_id WHERE j.workspace_id = %s "
        f"UNION ALL SELECT j.account_id, j.from_stage, j.changed_at FROM {table} j "
        f"JOIN c ON c.account_id = j.account_id AND j.changed_at = c.entered WHERE j.workspace_id = %s), "
        f"r AS (SELECT a.account_id, x.stage, MIN(a.at) AS at FROM arrivals a "
        f"JOIN ranks ra ON ra.stage = a.stage JOIN ranks x ON x.pos <= ra.pos GROUP BY a.account_id, x.stage) "
        f"SELECT {month} AS month, r.stage, COUNT(*), AVG({days}) "
        f"FROM c JOIN r ON r.account_id = c.account_id "
        f"WHERE c.entered >= %s AND c.entered < %s GROUP BY 1, 2 "
        f"UNION ALL "
        f"SELECT {month} AS month, '', COUNT(*), NULL FROM c WHERE c.entered >= %s AND c.entered < %s GROUP BY 1"
    )
    params: list[Any] = [v for i, key in enumerate(stages) for v in (key, i)]
    params += [workspace.pk, *accounts_params, workspace.pk, workspace.pk, since, until, since, until]
    return _cohorts(statement, params)
