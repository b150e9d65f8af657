"""Committee coverage on the dashboards: the content app's real coverage (committee templates per tier, each
required role known / engaged / missing), computed for every account of the filters in one set-based statement.

The rules are those of ``personas.committee`` (used per account by the heatmap and the account page):

- a contact who has not left fills a requirement when role, department and persona match where given;
- per requirement ``known = min(matching, count)``, ``engaged = min(matching engaged in the tier's last N days,
  count)``; status engaged when ``engaged >= count``, known when ``known > 0``, else missing;
- an account's coverage is ``(Σ known + Σ engaged) / (2 · Σ count)``; single-threaded with one engaged person.

The templates come from ``content.selectors.committee.committee_templates`` (stored or the seeds' defaults); the
database matches contacts to them and sums per tier, so nothing per account comes back to Python.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from abe.models import Workspace
from accounts.models import Contact
from content.selectors.committee import committee_templates

from .filters import KpiFilters
from .kpis import _accounts

ROLES_ENGAGED_FOR_COVERED = 3


def _least(a: str, b: str) -> str:
    return f"(CASE WHEN {a} < {b} THEN {a} ELSE {b} END)"


def committee_coverage(
    *, workspace: Workspace, filters: KpiFilters, now: datetime | None = None
) -> dict[str, dict[str, Any]]:
    """Per tier: ``accounts``, ``coverage_sum`` (Σ of the accounts' coverage, 0..1 each), ``covered`` (accounts with
    at least 3 required roles engaged), ``single_threaded``, and ``roles``: per requirement key, its label and
    how many accounts have it engaged / known only / missing."""
    now = now or timezone.now()
    templates = committee_templates(workspace=workspace)
    rows: list[str] = []
    params: list[Any] = []
    labels: dict[tuple[str, int], tuple[str, str]] = {}
    for tier, template in templates.items():
        cutoff = connection.ops.adapt_datetimefield_value(now - timedelta(days=template.engaged_days))
        for idx, req in enumerate(template.requirements):
            rows.append("(%s, %s, %s, %s, %s, %s, %s)")
            params += [tier, idx, req.role, req.department, req.persona if req.persona is not None else -1]
            params += [req.count, cutoff]
            labels[(tier, idx)] = (req.key, req.label)
    if not rows:
        return {}
    accounts_sql, accounts_params = (
        _accounts(workspace, filters).order_by().values("pk", "tier").query.sql_with_params()
    )
    contact = Contact._meta.db_table
    matching = "COUNT(c.id)"
    engaged = "SUM(CASE WHEN c.last_engaged_at >= r.cutoff THEN 1 ELSE 0 END)"
    cast = "CAST(%s AS TIMESTAMP WITH TIME ZONE)" if connection.vendor == "postgresql" else "%s"
    # The first VALUES row carries the column types (PostgreSQL infers the rest from it).
    types = ("VARCHAR", "INTEGER", "VARCHAR", "VARCHAR", "INTEGER", "INTEGER")
    first = "(" + ", ".join([*(f"CAST(%s AS {t})" for t in types), cast]) + ")"
    values = ", ".join([first, *rows[1:]])
    statement = (
        f"WITH r (tier, idx, role, department, persona, need, cutoff) AS (VALUES {values}), "
        f"a (id, tier) AS ({accounts_sql}), "
        f"per AS (SELECT a.id AS account_id, a.tier, r.idx, r.need, "
        f"{_least(matching, 'r.need')} AS known, {_least(f'COALESCE({engaged}, 0)', 'r.need')} AS engaged "
        f"FROM a JOIN r ON r.tier = a.tier LEFT JOIN {contact} c ON c.account_id = a.id AND c.left_at IS NULL "
        f"AND (r.role = '' OR c.buying_role = r.role) AND (r.department = '' OR c.department = r.department) "
        f"AND (r.persona = -1 OR c.persona_id = r.persona) "
        f"GROUP BY a.id, a.tier, r.idx, r.need), "
        f"people AS (SELECT c.account_id, COUNT(*) AS n FROM {contact} c JOIN a ON a.id = c.account_id "
        f"JOIN (SELECT DISTINCT tier, cutoff FROM r) t ON t.tier = a.tier "
        f"WHERE c.left_at IS NULL AND c.last_engaged_at >= t.cutoff GROUP BY c.account_id), "
        f"acct AS (SELECT per.account_id, per.tier, (SUM(per.known) + SUM(per.engaged)) * 1.0 / (2 * SUM(per.need)) "
        f"AS figure, SUM(CASE WHEN per.engaged >= per.need THEN 1 ELSE 0 END) AS roles_engaged FROM per "
        f"GROUP BY per.account_id, per.tier) "
        f"SELECT 'account', acct.tier, -1, COUNT(*), SUM(acct.figure), "
        f"SUM(CASE WHEN acct.roles_engaged >= {ROLES_ENGAGED_FOR_COVERED} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN people.n = 1 THEN 1 ELSE 0 END) "
        f"FROM acct LEFT JOIN people ON people.account_id = acct.account_id GROUP BY acct.tier "
        f"UNION ALL SELECT 'role', per.tier, per.idx, SUM(CASE WHEN per.engaged >= per.need THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN per.known > 0 AND per.engaged < per.need THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN per.known = 0 THEN 1 ELSE 0 END), 0 FROM per GROUP BY per.tier, per.idx"
    )
    out: dict[str, dict[str, Any]] = {}
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *accounts_params])
        result = cursor.fetchall()
    for kind, tier, idx, a, b, c, d in result:
        row = out.setdefault(
            tier, {"accounts": 0, "coverage_sum": 0.0, "covered": 0, "single_threaded": 0, "roles": {}}
        )
        if kind == "account":
            row.update(accounts=int(a), coverage_sum=float(b or 0), covered=int(c or 0), single_threaded=int(d or 0))
        else:
            key, label = labels[(tier, int(idx))]
            row["roles"][key] = {"label": label, "engaged": int(a or 0), "known": int(b or 0), "missing": int(c or 0)}
    return out
