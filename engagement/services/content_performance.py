"""Asset performance from the events that reference each asset, stored in content's rollup table.

For every asset, per persona (0 = all) and journey stage at the first touch ("" = all stages):

- accounts and contacts reached, engagements (events referencing the asset; the team's own outbound touches
  are left out: they measure effort, not response);
- accounts moved: reached accounts whose journey stage advanced (a higher stage of the configured list)
  within ``movement_days`` of their first touch; at the top stage (customer by default), where no stage is higher,
  reached accounts on which a new opportunity (an up-sell, cross-sell or renewal) was created in that window:
  "moved 0 of 20" for every post-sale asset ranked them by reach alone, the least used first;
- pipeline influenced: the amount of opportunities created on reached accounts within 90 days after the first
  touch.

The stage at the first touch is the stage the account had reached by then (the last recorded change at or before
it), or where it started if every recorded change came later, or its current stage when none was recorded.

One ``INSERT ... SELECT`` computes every row in the database (PostgreSQL, or SQLite for the embedded default):
each (asset, account) reach with its stage, movement and pipeline, expanded to the (persona, stage) keys it
counts under, then grouped. Run by a beat task (and after the demo is built); pages and the next-best-content
ranking read the rollup. Safe to repeat: each run replaces the workspace's rows in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from abe.models import Workspace
from accounts.models import Account, Contact, Opportunity
from content.models import AssetPerformance, ContentAsset
from content.selectors.nbc import content_settings
from content.services.performance import asset_performance_replace

from ..models import EngagementConfig, EngagementEvent, EventType, JourneyStageChange
from ..rules import ScoringRules

PIPELINE_DAYS = 90


def _statement(*, workspace_id: int, stages: list[str], movement_days: int, now: datetime) -> tuple[str, list[Any]]:
    postgres = connection.vendor == "postgresql"
    if postgres:
        later = "(s.first_at + %s * INTERVAL '1 day')"
        day = "(s.first_at AT TIME ZONE 'UTC')::date"
        day_plus = f"({day} + %s)"
    else:
        later = "datetime(s.first_at, '+' || %s || ' days')"
        day = "date(s.first_at)"
        day_plus = "date(s.first_at, '+' || %s || ' days')"
    # The per-account look-ups below must walk the account's rows (the account indexes). Without statistics (a
    # fresh or never analysed SQLite file) SQLite picks the workspace index instead, i.e. every stage change and
    # opportunity of the workspace per (asset, account) reach: a minute on the demo. PostgreSQL does the same for a
    # workspace its statistics have not seen yet (a new workspace, or ``load_demo --reset`` after an ANALYZE: the
    # workspace id is estimated at one row, so its index looks best), and that took over 7 minutes. A unary plus
    # keeps both off the workspace index (an expression, not the column); the condition itself stays.
    ws_change, ws_opp = "+c.workspace_id", "+o.workspace_id"
    event, change = EngagementEvent._meta.db_table, JourneyStageChange._meta.db_table
    account, contact, opp = Account._meta.db_table, Contact._meta.db_table, Opportunity._meta.db_table
    asset, perf = ContentAsset._meta.db_table, AssetPerformance._meta.db_table
    unranked = len(stages)  # unknown (and blank) stages rank below every configured one
    ranks = " UNION ALL ".join(["SELECT CAST(%s AS VARCHAR(40)) AS stage, %s AS pos"] * len(stages))
    rank_params: list[Any] = [v for i, key in enumerate(stages) for v in (key, i)]
    params: list[Any] = [workspace_id, EventType.OUTBOUND_TOUCH, *rank_params]
    params += [workspace_id, workspace_id]  # stage at the first touch: the two look-ups
    params += [stages[0] if stages else "", workspace_id, movement_days]  # the top stage's movement: a new deal
    params += [workspace_id, movement_days]  # movement
    params += [workspace_id, PIPELINE_DAYS]  # pipeline
    params += [workspace_id, connection.ops.adapt_datetimefield_value(now), workspace_id]  # insert
    statement = f"""
    WITH ev AS (
        SELECT content_asset_id AS asset_id, account_id, contact_id, MIN(occurred_at) AS first_at, COUNT(*) AS n
        FROM {event}
        WHERE workspace_id = %s AND content_asset_id IS NOT NULL AND type <> %s
        GROUP BY content_asset_id, account_id, contact_id
    ),
    ranks AS ({ranks}),
    reach AS (
        SELECT asset_id, account_id, MIN(first_at) AS first_at, SUM(n) AS engagements
        FROM ev GROUP BY asset_id, account_id
    ),
    staged AS (
        SELECT r.asset_id, r.account_id, r.first_at, r.engagements, COALESCE(
            (SELECT c.to_stage FROM {change} c WHERE {ws_change} = %s AND c.account_id = r.account_id
             AND c.changed_at <= r.first_at ORDER BY c.changed_at DESC, c.id DESC LIMIT 1),
            (SELECT c.from_stage FROM {change} c WHERE {ws_change} = %s AND c.account_id = r.account_id
             ORDER BY c.changed_at, c.id LIMIT 1),
            a.journey_stage
        ) AS stage
        FROM reach r JOIN {account} a ON a.id = r.account_id
    ),
    measured AS (
        SELECT s.asset_id, s.account_id, s.stage, s.engagements,
            CASE WHEN s.stage = %s THEN CASE WHEN EXISTS (
                SELECT 1 FROM {opp} o WHERE {ws_opp} = %s AND o.account_id = s.account_id
                AND o.created_date >= {day} AND o.created_date <= {day_plus}
            ) THEN 1 ELSE 0 END
            WHEN EXISTS (
                SELECT 1 FROM {change} c LEFT JOIN ranks rn ON rn.stage = c.to_stage
                WHERE {ws_change} = %s AND c.account_id = s.account_id AND c.changed_at > s.first_at
                AND c.changed_at <= {later}
                AND COALESCE(rn.pos, {unranked}) < COALESCE((SELECT pos FROM ranks WHERE stage = s.stage), {unranked})
            ) THEN 1 ELSE 0 END AS moved,
            (SELECT COALESCE(SUM(COALESCE(o.amount, 0)), 0) FROM {opp} o
             WHERE {ws_opp} = %s AND o.account_id = s.account_id
             AND o.created_date >= {day} AND o.created_date <= {day_plus}) AS pipeline
        FROM staged s
    ),
    people AS (
        SELECT DISTINCT ev.asset_id, ev.account_id, ev.contact_id, COALESCE(ct.persona_id, 0) AS persona
        FROM ev JOIN {contact} ct ON ct.id = ev.contact_id
    ),
    personas AS (
        SELECT asset_id, account_id, 0 AS persona_key FROM reach
        UNION SELECT asset_id, account_id, persona FROM people WHERE persona <> 0
    ),
    keyed AS (
        SELECT p.asset_id, p.account_id, p.persona_key, '' AS stage_key FROM personas p
        UNION SELECT p.asset_id, p.account_id, p.persona_key, m.stage FROM personas p
        JOIN measured m ON m.asset_id = p.asset_id AND m.account_id = p.account_id
    ),
    sums AS (
        SELECT k.asset_id, k.persona_key, k.stage_key, COUNT(*) AS accounts_reached,
            SUM(m.engagements) AS engagements, SUM(m.moved) AS accounts_moved, SUM(m.pipeline) AS pipeline
        FROM keyed k JOIN measured m ON m.asset_id = k.asset_id AND m.account_id = k.account_id
        GROUP BY k.asset_id, k.persona_key, k.stage_key
    ),
    reached AS (
        SELECT k.asset_id, k.persona_key, k.stage_key, COUNT(DISTINCT p.contact_id) AS contacts
        FROM keyed k JOIN people p ON p.asset_id = k.asset_id AND p.account_id = k.account_id
        AND (k.persona_key = 0 OR p.persona = k.persona_key)
        GROUP BY k.asset_id, k.persona_key, k.stage_key
    )
    INSERT INTO {perf} (workspace_id, asset_id, persona_key, stage, accounts_reached, contacts_reached,
                        engagements, accounts_moved, pipeline_influenced, computed_at)
    SELECT %s, s.asset_id, s.persona_key, s.stage_key, s.accounts_reached, COALESCE(r.contacts, 0),
           s.engagements, s.accounts_moved, s.pipeline, %s
    FROM sums s
    JOIN {asset} ca ON ca.id = s.asset_id AND ca.workspace_id = %s
    LEFT JOIN reached r ON r.asset_id = s.asset_id AND r.persona_key = s.persona_key AND r.stage_key = s.stage_key
    """
    return statement, params


def asset_performance_refresh(*, workspace: Workspace, now: datetime | None = None) -> int:
    now = now or timezone.now()
    settings = content_settings(workspace=workspace)
    config = EngagementConfig.objects.for_workspace(workspace).first()
    rules = ScoringRules.from_config(config) if config else ScoringRules.from_values()
    statement, params = _statement(
        workspace_id=workspace.pk,
        stages=[s.key for s in rules.stages],
        movement_days=settings.movement_days,
        now=now,
    )
    with transaction.atomic():
        hash_joins = _hash_joins_only()
        measured = asset_performance_replace(workspace=workspace, statement=statement, params=params)
        hash_joins.restore()
    return measured


class _hash_joins_only:  # noqa: N801  (used like a statement: a setting for the next statement, then restored)
    """No nested-loop joins for the refresh's statement (PostgreSQL), restored after it.

    The statement joins its CTEs (reach, measured, keyed, people: tens of thousands of rows on the demo) with each
    other. Planned from statistics that do not know the workspace (a new one, or ``load_demo --reset`` after an
    ANALYZE), every CTE is estimated at one row, and the planner joins them with nested loops over CTE scans:
    quadratic, more than 7 minutes on the demo. Hash joins cost the same whatever the estimate; the per-account
    look-ups are sub-plans, which this setting does not touch. ``SET LOCAL`` inside the caller's transaction: an
    error rolls it back with everything else, success restores the previous value.
    """

    def __init__(self) -> None:
        self.previous: str | None = None
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_nestloop'), set_config('enable_nestloop', 'off', true)")
            self.previous = cursor.fetchone()[0]

    def restore(self) -> None:
        if self.previous is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('enable_nestloop', %s, true)", [self.previous])
