"""The journey funnel by monthly cohort: accounts grouped by the month they entered the journey (their first
recorded stage change), and how many of each cohort went on to reach every later stage.

One set-based statement over the recorded stage changes (``JourneyStageChange``, a few rows per account, read
through its workspace index): each account's first change gives its cohort, each (account, stage) pair its first
arrival; the database groups them by cohort month and stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import connection

from abe.models import Workspace
from engagement.models import JourneyStageChange

from .filters import KpiFilters
from .kpis import _accounts


@dataclass
class Cohort:
    month: str
    accounts: int = 0
    reached: dict[str, int] = field(default_factory=dict)  # stage key -> accounts of the cohort that reached it
    days_to: dict[str, float] = field(default_factory=dict)  # stage key -> mean days from entry to first arrival


def journey_cohorts(*, workspace: Workspace, filters: KpiFilters) -> list[Cohort]:
    """The cohorts of accounts that entered the journey in the period (months, oldest first)."""
    postgres = connection.vendor == "postgresql"
    table = JourneyStageChange._meta.db_table
    if postgres:
        month = "to_char(c.entered AT TIME ZONE 'UTC', 'YYYY-MM')"
        days = "EXTRACT(EPOCH FROM (r.reached - c.entered)) / 86400.0"
    else:
        month = "strftime('%%Y-%%m', c.entered)"
        days = "(julianday(r.reached) - julianday(c.entered))"
    accounts_sql, accounts_params = _accounts(workspace, filters).order_by().values("pk").query.sql_with_params()
    since = datetime.combine(filters.start, time.min, UTC)
    until = datetime.combine(filters.end + timedelta(days=1), time.min, UTC)
    statement = (
        f"WITH c AS (SELECT account_id, MIN(changed_at) AS entered FROM {table} "
        f"WHERE workspace_id = %s AND account_id IN ({accounts_sql}) GROUP BY account_id), "
        f"r AS (SELECT account_id, to_stage, MIN(changed_at) AS reached FROM {table} "
        f"WHERE workspace_id = %s GROUP BY account_id, to_stage) "
        f"SELECT {month} AS month, r.to_stage, COUNT(*), AVG({days}) "
        f"FROM c JOIN r ON r.account_id = c.account_id "
        f"WHERE c.entered >= %s AND c.entered < %s GROUP BY 1, 2 "
        f"UNION ALL "
        f"SELECT {month} AS month, '', COUNT(*), NULL FROM c WHERE c.entered >= %s AND c.entered < %s GROUP BY 1"
    )
    params: list[Any] = [workspace.pk, *accounts_params, workspace.pk, since, until, since, until]
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
