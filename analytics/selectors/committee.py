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

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from abe.models import Workspace
from accounts.models import Account, Contact, Tier
from content.selectors.committee import committee_templates
from personas.committee import requirement_of_key
from personas.models import Persona

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
    how many accounts have it engaged / known only / missing. Computed now from the contacts (the dashboards read
    the same figures from ``CommitteeSegmentFact`` unless a saved view selects the accounts)."""
    return committee_by_tier(
        committee_segment_rows(workspace=workspace, accounts=_accounts(workspace, filters), now=now)
    )


def committee_by_tier(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Segment rows (see ``committee_segment_rows``) summed per tier: the tiers in their order (strategic first,
    as every other table of the dashboards), each tier's roles in its template's order, whatever order the rows
    came in (the rollup's are sorted by tier key, the set-based statement's are not sorted at all)."""
    rank = {tier: i for i, tier in enumerate(Tier.values)}
    labels = _requirement_labels({r["role_key"]: r["role_label"] for r in rows if r["idx"] >= 0})
    out: dict[str, dict[str, Any]] = {}
    for r in sorted(rows, key=lambda r: (rank.get(r["tier"], len(rank)), r["tier"], r["idx"])):
        row = out.setdefault(
            r["tier"], {"accounts": 0, "coverage_sum": 0.0, "covered": 0, "single_threaded": 0, "roles": {}}
        )
        if r["idx"] < 0:
            row["accounts"] += r["accounts"]
            row["coverage_sum"] += r["coverage_sum"]
            row["covered"] += r["covered"]
            row["single_threaded"] += r["single_threaded"]
        else:
            role = row["roles"].setdefault(
                r["role_key"], {"label": labels[r["role_key"]], "engaged": 0, "known": 0, "missing": 0}
            )
            for key in ("engaged", "known", "missing"):
                role[key] += r[key]
    return out


def _requirement_labels(stored: dict[str, str]) -> dict[str, str]:
    """Each role key's name in the reader's language (the rollup stores the labels in English, and the template
    may name a persona renamed since); a key of no known shape keeps its stored label."""
    requirements = {key: requirement_of_key(key) for key in stored}
    ids = {r.persona for r in requirements.values() if r is not None and r.persona is not None}
    names = dict(Persona.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    return {
        key: label
        if (requirement := requirements[key]) is None
        else replace(requirement, persona_name=names.get(requirement.persona or 0, "")).label
        for key, label in stored.items()
    }


def committee_segment_rows(
    *, workspace: Workspace, accounts: QuerySet[Account], now: datetime | None = None
) -> list[dict[str, Any]]:
    """Committee coverage of these accounts per (tier, owner, industry): one row per segment with ``idx`` -1 (the
    accounts' figures) and one per segment and required role (engaged / known only / missing)."""
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
        return []
    accounts_sql, accounts_params = (
        accounts.order_by()
        .annotate(owner_key=Coalesce(F("owner_id"), Value(0)))
        .values("pk", "tier", "owner_key", "industry")
        .query.sql_with_params()
    )
    contact = Contact._meta.db_table
    matching = "COUNT(c.id)"
    engaged = "SUM(CASE WHEN c.last_engaged_at >= r.cutoff THEN 1 ELSE 0 END)"
    cast = "CAST(%s AS TIMESTAMP WITH TIME ZONE)" if connection.vendor == "postgresql" else "%s"
    # The first VALUES row carries the column types (PostgreSQL infers the rest from it).
    types = ("VARCHAR", "INTEGER", "VARCHAR", "VARCHAR", "INTEGER", "INTEGER")
    first = "(" + ", ".join([*(f"CAST(%s AS {t})" for t in types), cast]) + ")"
    values = ", ".join([first, *rows[1:]])
    seg = "a.tier, a.owner_key, a.industry"
    statement = (
        f"WITH r (tier, idx, role, department, persona, need, cutoff) AS (VALUES {values}), "
        f"a (id, tier, owner_key, industry) AS ({accounts_sql}), "
        f"per AS (SELECT a.id AS account_id, {seg}, r.idx, r.need, "
        f"{_least(matching, 'r.need')} AS known, {_least(f'COALESCE({engaged}, 0)', 'r.need')} AS engaged "
        f"FROM a JOIN r ON r.tier = a.tier LEFT JOIN {contact} c ON c.account_id = a.id AND c.left_at IS NULL "
        f"AND (r.role = '' OR c.buying_role = r.role) AND (r.department = '' OR c.department = r.department) "
        f"AND (r.persona = -1 OR c.persona_id = r.persona) "
        f"GROUP BY a.id, {seg}, r.idx, r.need), "
        f"people AS (SELECT c.account_id, COUNT(*) AS n FROM {contact} c JOIN a ON a.id = c.account_id "
        f"JOIN (SELECT DISTINCT tier, cutoff FROM r) t ON t.tier = a.tier "
        f"WHERE c.left_at IS NULL AND c.last_engaged_at >= t.cutoff GROUP BY c.account_id), "
        f"acct AS (SELECT per.account_id, per.tier, per.owner_key, per.industry, "
        f"(SUM(per.known) + SUM(per.engaged)) * 1.0 / (2 * SUM(per.need)) AS figure, "
        f"SUM(CASE WHEN per.engaged >= per.need THEN 1 ELSE 0 END) AS roles_engaged FROM per "
        f"GROUP BY per.account_id, per.tier, per.owner_key, per.industry) "
        f"SELECT 'account', acct.tier, acct.owner_key, acct.industry, -1, COUNT(*), SUM(acct.figure), "
        f"SUM(CASE WHEN acct.roles_engaged >= {ROLES_ENGAGED_FOR_COVERED} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN people.n = 1 THEN 1 ELSE 0 END) "
        f"FROM acct LEFT JOIN people ON people.account_id = acct.account_id "
        f"GROUP BY acct.tier, acct.owner_key, acct.industry "
        f"UNION ALL SELECT 'role', per.tier, per.owner_key, per.industry, per.idx, "
        f"SUM(CASE WHEN per.engaged >= per.need THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN per.known > 0 AND per.engaged < per.need THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN per.known = 0 THEN 1 ELSE 0 END), 0 FROM per "
        f"GROUP BY per.tier, per.owner_key, per.industry, per.idx"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *accounts_params])
        result = cursor.fetchall()
    out: list[dict[str, Any]] = []
    for kind, tier, owner_key, industry, idx, a, b, c, d in result:
        row: dict[str, Any] = {"tier": tier, "owner_key": int(owner_key or 0), "industry": industry or ""}
        if kind == "account":
            row.update(idx=-1, role_key="", role_label="", accounts=int(a), coverage_sum=float(b or 0))
            row.update(covered=int(c or 0), single_threaded=int(d or 0), engaged=0, known=0, missing=0)
        else:
            key, label = labels[(tier, int(idx))]
            row.update(idx=int(idx), role_key=key, role_label=label, accounts=0, coverage_sum=0.0, covered=0)
            row.update(single_threaded=0, engaged=int(a or 0), known=int(b or 0), missing=int(c or 0))
        out.append(row)
    return out
